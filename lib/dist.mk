# Fitting into a distribution (issue 13): man pages, the kernel hooks, `make install` of both,
# and the Debian package. Sources: NAME.SECTION.scd next to each program (scdoc, from Debian),
# initrd/mkimage/dist/ (hooks, build-image, mkimage.conf), debian/.
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
PKGLIBDIR ?= $(PREFIX)/lib/initkit
# kernel-install(8) reads plugins from /usr/lib/kernel/install.d and /etc only.
KERNELINSTALLDIR ?= /usr/lib/kernel/install.d
SYSTEMDGENERATORDIR ?= $(PREFIX)/lib/systemd/system-generators

MAN_SRCS := initrd/initkit-init.8.scd initrd/mkimage/initkit-mkimage.8.scd \
	stage2/initkit-stage2.8.scd kconfig/kconfig-merge.1.scd
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
man-check: $(MAN_PAGES) $(BINS)
	tests/man-check.sh $(O)
EXTRA_CHECKS += man-check

SUBST = sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@PKGLIBDIR@|$(PKGLIBDIR)|g' \
	-e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g'
install: install-dist
install-dist: $(MAN_PAGES)
	for p in $(MAN_PAGES); do s=$${p##*.}; install -d $(DESTDIR)$(MANDIR)/man$$s; \
		install -m 0644 $$p $(DESTDIR)$(MANDIR)/man$$s/; done

