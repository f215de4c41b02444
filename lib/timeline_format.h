/* The boot timeline stage 1 hands to stage 2 (/run/initkit/timeline.json): what the writer
 * (initrd/timeline.c) and the reader (stage2/timeline_read.c) agree on. The format is
 * documented in README.md ("Boot timeline"). */
#pragma once

#define TIMELINE_PATH "/run/initkit/timeline.json"
/* Lines the kernel's modprobe requests (other processes than PID 1) append, one per module;
 * stage 1 merges them into its timeline when it writes the JSON. */
#define TIMELINE_MODPROBE_PATH "/run/initkit/timeline-modprobe"
#define TIMELINE_FORMAT "initkit-timeline"
/* Bumped when a reader of the old version would misread the new one; fields are only ever
 * added within a version. */
#define TIMELINE_VERSION 1

/* What an event is; the names are the "kind" values in the JSON. */
enum timeline_kind {
	TIMELINE_STEP,	 /* a step of the boot sequence (main.c) */
	TIMELINE_MODULE, /* a module inserted; note: who asked */
	TIMELINE_WAIT,	 /* waiting for a device or an event */
	TIMELINE_HOOK,	 /* a pre-unlock hook */
	TIMELINE_VOLUME, /* one LUKS volume, header to activation */
	TIMELINE_HEADER, /* LUKS header load */
	TIMELINE_PROMPT, /* a person at the passphrase prompt */
	TIMELINE_UNLOCK, /* KDF + activation (libcryptsetup) */
	TIMELINE_LVM,	 /* one lvm command */
	TIMELINE_MARK,	 /* an instant (begin == end) */
	TIMELINE_N_KINDS
};

static const char *const timeline_kind_names[TIMELINE_N_KINDS] = {
	[TIMELINE_STEP] = "step",     [TIMELINE_MODULE] = "module", [TIMELINE_WAIT] = "wait",
	[TIMELINE_HOOK] = "hook",     [TIMELINE_VOLUME] = "volume", [TIMELINE_HEADER] = "header",
	[TIMELINE_PROMPT] = "prompt", [TIMELINE_UNLOCK] = "unlock", [TIMELINE_LVM] = "lvm",
	[TIMELINE_MARK] = "mark",
};
