# Stage 2: logind defaults applied after switch_root (PID 1, generator or CLI). See README.md.
STAGE2_LIB_SRCS := stage2/logind_values.c stage2/logind_conf.c stage2/cmdline.c \
	stage2/defaults.c stage2/plan.c stage2/dropin.c stage2/initexec.c stage2/mode.c stage2/apifs.c \
	initrd/initcheck.c
PROGRAMS += initkit-stage2
initkit-stage2_SRCS := stage2/main.c $(STAGE2_LIB_SRCS) $(LIB_SRCS)

TESTS += logind_values logind_conf stage2_cmdline stage2_defaults stage2_plan stage2_initexec \
	stage2_mode stage2_apifs
test_logind_values_SRCS := tests/test_logind_values.c stage2/logind_values.c
test_logind_conf_SRCS := tests/test_logind_conf.c stage2/logind_conf.c stage2/logind_values.c
test_stage2_cmdline_SRCS := tests/test_stage2_cmdline.c stage2/cmdline.c
test_stage2_defaults_SRCS := tests/test_stage2_defaults.c stage2/defaults.c stage2/cmdline.c \
	stage2/logind_values.c
test_stage2_plan_SRCS := tests/test_stage2_plan.c stage2/plan.c stage2/defaults.c \
	stage2/cmdline.c stage2/logind_conf.c stage2/logind_values.c stage2/dropin.c
# initrd/initcheck.c: stage 1's init check, shared so both stages judge an init alike.
test_stage2_initexec_SRCS := tests/test_stage2_initexec.c stage2/initexec.c stage2/cmdline.c \
	initrd/initcheck.c
test_stage2_mode_SRCS := tests/test_stage2_mode.c stage2/mode.c
test_stage2_apifs_SRCS := tests/test_stage2_apifs.c stage2/apifs.c
# The boot timeline stage 1 leaves in /run/initkit/timeline.json: `initkit-stage2 --timeline`.
STAGE2_LIB_SRCS += stage2/timeline_read.c stage2/timeline_plot.c stage2/timeline_show.c
initkit-stage2_SRCS := stage2/main.c $(STAGE2_LIB_SRCS) $(LIB_SRCS)
TESTS += stage2_timeline
test_stage2_timeline_SRCS := tests/test_stage2_timeline.c stage2/timeline_read.c \
	stage2/timeline_plot.c
# By absolute path: the test runs from $(O), and from a scratch copy under `make mutate`.
$(O)/obj/tests/test_stage2_timeline.o: CFLAGS += \
	-DTIMELINE_FIXTURES='"$(abspath tests/timeline-fixtures)"'

# initkit-confine: services confined to their closure + hardening profiles (generator/CLI).
CONFINE_LIB_SRCS := stage2/unitfile.c stage2/unitload.c stage2/elf.c stage2/closure.c \
	stage2/confine.c stage2/mode.c
PROGRAMS += initkit-confine
initkit-confine_SRCS := stage2/confine_main.c $(CONFINE_LIB_SRCS) $(LIB_SRCS)
TESTS += unitfile elf closure confine
test_unitfile_SRCS := tests/test_unitfile.c stage2/unitfile.c stage2/unitload.c
test_elf_SRCS := tests/test_elf.c stage2/elf.c
test_closure_SRCS := tests/test_closure.c stage2/closure.c stage2/elf.c
test_confine_SRCS := tests/test_confine.c stage2/confine.c stage2/closure.c stage2/elf.c \
	stage2/unitfile.c
