LIB_SRCS := lib/log.c lib/spawn.c
