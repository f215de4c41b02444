PROGRAMS += initkit-init initkit-mkimage
initkit-init_SRCS := initrd/main.c initrd/version.c $(LIB_SRCS)
initkit-mkimage_SRCS := initrd/mkimage.c initrd/cpio.c initrd/version.c $(LIB_SRCS)

$(O)/obj/initrd/version.o: CFLAGS += \
	-DCRYPTSETUP_VERSION='"$(shell $(PKGCONF) --modversion libcryptsetup)"' \
	-DKMOD_VERSION='"$(shell $(PKGCONF) --modversion libkmod)"'
