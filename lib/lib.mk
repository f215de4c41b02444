LIB_SRCS := lib/log.c
