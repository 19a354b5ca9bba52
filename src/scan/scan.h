/* airlock scan: static pre-screening of source code before it runs. One more layer, never the
 * only one: a clean scan means nothing matched, not that the code is safe.
 *
 * Each language has a tokenizer (never crashes on any input: malformed, non-UTF-8, huge) and a
 * table of rules (policy as data) matched over its tokens and simple call shapes, never over raw
 * text. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "basic/error.h"

typedef enum ScanLanguage {
        SCAN_LANG_AUTO = 0,
        SCAN_LANG_PYTHON,
        SCAN_LANG_SHELL,
        _SCAN_LANG_MAX,
} ScanLanguage;

typedef enum ScanSeverity {
        SCAN_SEV_INFO = 0,
        SCAN_SEV_LOW,
        SCAN_SEV_MEDIUM,
        SCAN_SEV_HIGH,
        SCAN_SEV_CRITICAL,
        _SCAN_SEV_MAX,
} ScanSeverity;

/* One row of a rule table: what the rule is, for `airlock scan --rules` and docs/SCAN_RULES.md.
 * How it matches lives with the language's matcher (a function per rule, or data it reads). */
typedef struct ScanRule {
        const char *id; /* stable, e.g. "PY-EXEC-001", "SH-RMRF-001" */
        ScanLanguage language;
        ScanSeverity severity;
        const char *description; /* one line: what it flags and why it matters */
        const char *example;     /* a one-line example that triggers it */
} ScanRule;

typedef struct ScanFinding {
        const ScanRule *rule;
        uint32_t line;     /* 1-based */
        uint32_t column;   /* 1-based, in bytes */
        char snippet[160]; /* the matched source, control characters escaped, cut to fit */
        char reason[200];  /* one line, specific to this match */
} ScanFinding;

typedef struct ScanReport {
        char *path; /* as given, "-" for stdin */
        ScanLanguage language;
        ScanFinding *findings;
        size_t n_findings;
        bool truncated; /* more findings than SCAN_MAX_FINDINGS were dropped */
} ScanReport;

#define SCAN_MAX_FINDINGS 1000
#define SCAN_MAX_INPUT    (16u << 20) /* bytes per file */

/* Scans one buffer (need not be NUL-terminated, may hold NULs and invalid UTF-8). The language
 * is guessed from the path's extension and a shebang line when AUTO. */
int scan_buffer(const char *path, const char *data, size_t len, ScanLanguage lang, ScanReport *ret,
                AirlockError *err);
void scan_report_done(ScanReport *r);

/* Appends a finding (no-op past SCAN_MAX_FINDINGS, which sets truncated). Used by matchers. */
int scan_report_add(ScanReport *r, const ScanRule *rule, uint32_t line, uint32_t column,
                    const char *snippet, size_t snippet_len, const char *reason_fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* All rules of all languages, for listing. */
const ScanRule *const *scan_all_rules(size_t *ret_n);
const ScanRule *scan_rule_by_id(const char *id);

ScanLanguage scan_language_guess(const char *path, const char *data, size_t len);
const char *scan_language_to_string(ScanLanguage l);
int scan_language_from_string(const char *s, ScanLanguage *ret);
const char *scan_severity_to_string(ScanSeverity s);
int scan_severity_from_string(const char *s, ScanSeverity *ret);

/* The highest severity in a report, or -1 when it has no finding. */
int scan_report_max_severity(const ScanReport *r);

/* Per-language entry points (scan-python.c, scan-shell.c), called by scan_buffer. */
int scan_python(const char *data, size_t len, ScanReport *r);
int scan_shell(const char *data, size_t len, ScanReport *r);
extern const ScanRule scan_python_rules[];
extern const size_t scan_python_rules_count;
extern const ScanRule scan_shell_rules[];
extern const size_t scan_shell_rules_count;
