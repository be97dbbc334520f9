/* SPDX-License-Identifier: MIT */
/* init.h: --init, a minimal PID 1 (fork COMMAND as PID 2, forward, reap). */
#ifndef CTR_INIT_H
#define CTR_INIT_H

/* Never returns.  Exec failures of COMMAND are reported over SOCK. */
__attribute__((noreturn)) void init_main(char *const argv[], char *const envp[], int sock);

#endif
