#pragma once

#include "config/config.h"
#include "scan/scan.h"

/* --prescreen warn|block: scans the --copy sources (regular files whose language can be told
 * from the name or a shebang; directories are walked) before anything is created. One more
 * layer, never the only one: the sandbox runs the code under every other layer either way. */
int prescreen_run(const AirlockConfig *c, ScanReport **ret_reports, size_t *ret_n,
                  AirlockError *err);

/* Whether the reports hold a finding at or above the configured severity. */
bool prescreen_blocks(const AirlockConfig *c, const ScanReport *reports, size_t n);

void prescreen_free(ScanReport *reports, size_t n);
