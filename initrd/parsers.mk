# Pure stage-1 parsers and the stage-2 init check (included from initrd/initrd.mk).
# INITRD_PURE_SRCS: sources to link into initkit-init. Filled in as each part lands.
INITRD_PURE_SRCS +=
