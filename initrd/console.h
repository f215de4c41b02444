/* The console's echo during stage 1: off from the first moment, so a passphrase typed ahead
 * of its prompt (or between prompts) never appears on the console, in serial logs or BMC
 * recordings; the settings found at boot come back for the emergency shell and stage 2. */
#pragma once

/* Saves /dev/console's termios and turns echo off. Harmless when it is not a terminal; once
 * it worked, later calls do nothing (call again after /dev is mounted, for an image whose
 * /init started without a console). */
void console_echo_off(void);
/* Discards input typed but never read, then puts back what console_echo_off() saved
 * (nothing if it saved nothing). */
void console_restore(void);
