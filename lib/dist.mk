# Fitting into a distribution (issue 13): man pages, the kernel hooks, `make install` of both,
# and the Debian package. Sources: NAME.SECTION.scd next to each program (scdoc, from Debian),
# initrd/mkimage/dist/ (hooks, build-image, mkimage.conf, and debian/ for the package).
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
PKGLIBDIR ?= $(PREFIX)/lib/initkit
# kernel-install(8) reads plugins from /usr/lib/kernel/install.d and /etc only.
KERNELINSTALLDIR ?= /usr/lib/kernel/install.d
SYSTEMDGENERATORDIR ?= $(PREFIX)/lib/systemd/system-generators

MAN_SRCS := initrd/initkit-init.8.scd initrd/mkimage/initkit-mkimage.8.scd \
	stage2/initkit-stage2.8.scd stage2/initkit-confine.8.scd kconfig/kconfig-merge.1.scd
MAN_PAGES := $(addprefix $(O)/man/,$(basename $(notdir $(MAN_SRCS))))
DIST := initrd/mkimage/dist

.PHONY: man man-check install-dist hooks-check deb deb-check
man: $(MAN_PAGES)
$(O)/man/.scdoc:
	lib/apt-install scdoc
	@mkdir -p $(@D) && touch $@
define MAN_RULE
$(O)/man/$(basename $(notdir $(1))): $(1) | $(O)/man/.scdoc
	scdoc <$$< >$$@.tmp && mv $$@.tmp $$@
endef
$(foreach s,$(MAN_SRCS),$(eval $(call MAN_RULE,$(s))))

# Every option of each program's --help is in its man page, and the pages render.
man-check: $(MAN_PAGES) $(addprefix $(O)/bin/,$(PROGRAMS)) # (BINS is set after the includes)
	tests/man-check.sh $(O)
EXTRA_CHECKS += man-check

SUBST = sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@PKGLIBDIR@|$(PKGLIBDIR)|g' \
	-e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g'
install: install-dist
install-dist: $(MAN_PAGES) | $(DEPS)/.stamp
	for p in $(MAN_PAGES); do s=$${p##*.}; install -d $(DESTDIR)$(MANDIR)/man$$s; \
		install -m 0644 $$p $(DESTDIR)$(MANDIR)/man$$s/; done
	install -d $(DESTDIR)$(PKGLIBDIR) $(DESTDIR)$(KERNELINSTALLDIR) \
		$(DESTDIR)$(SYSCONFDIR)/kernel/postinst.d $(DESTDIR)$(SYSCONFDIR)/kernel/postrm.d \
		$(DESTDIR)$(SYSCONFDIR)/initkit $(DESTDIR)$(SYSTEMDGENERATORDIR)
	$(SUBST) $(DIST)/build-image >$(DESTDIR)$(PKGLIBDIR)/build-image
	@# The static lvm `initkit-mkimage --lvm` (and --host on an LVM root) puts in the image;
	@# initkit-mkimage finds it as ../lib/initkit/lvm beside itself.
	install -m 0755 $(DEPS)/sbin/lvm $(DESTDIR)$(PKGLIBDIR)/lvm
	strip $(DESTDIR)$(PKGLIBDIR)/lvm
	$(SUBST) $(DIST)/86-initkit.install >$(DESTDIR)$(KERNELINSTALLDIR)/86-initkit.install
	$(SUBST) $(DIST)/kernel-postinst >$(DESTDIR)$(SYSCONFDIR)/kernel/postinst.d/initkit
	$(SUBST) $(DIST)/kernel-postrm >$(DESTDIR)$(SYSCONFDIR)/kernel/postrm.d/initkit
	chmod 0755 $(DESTDIR)$(PKGLIBDIR)/build-image $(DESTDIR)$(KERNELINSTALLDIR)/86-initkit.install \
		$(DESTDIR)$(SYSCONFDIR)/kernel/postinst.d/initkit $(DESTDIR)$(SYSCONFDIR)/kernel/postrm.d/initkit
	@# An administrator's mkimage.conf is never overwritten.
	[ -e $(DESTDIR)$(SYSCONFDIR)/initkit/mkimage.conf ] || \
		$(SUBST) $(DIST)/mkimage.conf >$(DESTDIR)$(SYSCONFDIR)/initkit/mkimage.conf
	@# initkit-stage2 as a systemd generator (it recognises the name; stage2/README.md).
	ln -sf $(BINDIR)/initkit-stage2 $(DESTDIR)$(SYSTEMDGENERATORDIR)/initkit-logind-defaults
	@# initkit-confine as a systemd generator: acts only on units with X-Initkit-* keys.
	ln -sf $(BINDIR)/initkit-confine $(DESTDIR)$(SYSTEMDGENERATORDIR)/initkit-confine

# The hooks, installed by `make install` into a temporary root, run there with the real
# initkit-mkimage (tests/hooks-check.sh).
hooks-check: $(addprefix $(O)/stripped/,$(PROGRAMS)) $(MAN_PAGES) $(O)/kernel/.stamp
	tests/hooks-check.sh $(O)
EXTRA_CHECKS += hooks-check

# The Debian package. dpkg-buildpackage writes its results into the parent directory of the
# source tree, so the package is built from a copy of the tree's files (tracked and new,
# committed or not) under $(O)/deb/initkit, with the tree's static deps linked in: every
# output stays in $(O)/deb. The package's debian/ lives with the hooks ($(DIST)/debian: the
# repository's top level stays small) and is moved to the copy's top, where dpkg-buildpackage
# wants it.
DEB_DIR := $(O)/deb
deb: $(DEPS)/.stamp $(O)/musl/deps/.stamp
	lib/apt-install debhelper dpkg-dev scdoc lintian
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/initkit/$(notdir $(O))
	git ls-files -z -co --exclude-standard | tar --null -T - --ignore-failed-read -cf - | \
		tar -xf - -C $(DEB_DIR)/initkit
	mv $(DEB_DIR)/initkit/$(DIST)/debian $(DEB_DIR)/initkit/debian
	ln -s $(abspath $(DEPS)) $(DEB_DIR)/initkit/$(notdir $(O))/deps
	@# The musl dependency tree of the shipped initkit-init (initrd/small.mk), also reused.
	mkdir -p $(DEB_DIR)/initkit/$(notdir $(O))/musl
	ln -s $(abspath $(O))/musl/deps $(abspath $(O))/musl/tss $(DEB_DIR)/initkit/$(notdir $(O))/musl/
	cd $(DEB_DIR)/initkit && dpkg-buildpackage -b -us -uc >../build.log 2>&1 || \
		{ tail -40 ../build.log; echo "deb: dpkg-buildpackage failed, see $(DEB_DIR)/build.log"; exit 1; }
	@ls -l $(DEB_DIR)/*.deb

# The package's relationships, files and conffiles, dpkg install/remove/purge into an empty
# root with its hook run there, and lintian: no error, warning or info tag beyond
# $(DIST)/debian/initkit.lintian-overrides (tests/deb-check.sh).
deb-check: deb $(O)/kernel/.stamp
	tests/deb-check.sh $(O)

# In make check: 48 s measured here (2 cores, busy) for the package build and lintian;
# it installs debhelper and lintian itself.
EXTRA_CHECKS += deb-check
