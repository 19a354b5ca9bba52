/* What `airlock scan` prints (scan/scan.h): one or more reports as text, JSON or SARIF 2.1.0,
 * and the rule tables as text, JSON or Markdown (docs/SCAN_RULES.md).
 *
 * Text, one line per finding, then the snippet indented, then a summary:
 *
 *   tool.py:4:1: critical PY-OBF-001: exec() of code decoded at run time (scanned too)
 *       exec(base64.b64decode(payload))
 *   1 file scanned, 1 finding (1 critical)
 *
 * Paths, snippets and reasons are escaped as in scan.c (control characters, invalid UTF-8 and
 * bidirectional overrides as \xNN or \uNNNN), so a hostile file name cannot forge lines.
 *
 * JSON (keys in this order):
 *
 *   {"files": [{"path": string, "language": "python" | "sh",
 *               "findings": [{"rule": "PY-OBF-001", "severity": "critical",
 *                             "line": int, "column": int (1-based, in bytes),
 *                             "snippet": string, "reason": string, "description": string}],
 *               "truncated": bool}],                 more than SCAN_MAX_FINDINGS, rest dropped
 *    "summary": {"files": int, "findings": int,
 *                "by_severity": {"critical": int, "high": int, "medium": int, "low": int,
 *                                "info": int}}}
 *
 * SARIF 2.1.0: one run of tool "airlock" whose driver lists every rule of the registry (and any
 * other rule a finding names), each with defaultConfiguration.level (error for high and
 * critical, warning for medium, note for low and info) and properties.severity; one result per
 * finding with ruleId, ruleIndex, level, message.text (the reason) and one physicalLocation
 * (artifactLocation.uri: the path, percent-encoded; region: startLine, startColumn,
 * snippet.text). Columns are bytes; SARIF's default is UTF-16 code units, so they differ on a
 * line with non-ASCII text before the match.
 *
 * Every string is valid UTF-8 whatever the input held: invalid bytes become U+FFFD. */
#pragma once

#include <jansson.h>
#include <stdio.h>

#include "scan/scan.h"

/* New references, or NULL when out of memory. */
json_t *scan_reports_to_json(const ScanReport *reports, size_t n);
json_t *scan_reports_to_sarif(const ScanReport *reports, size_t n);
json_t *scan_rules_to_json(const ScanRule *const *rules, size_t n);

/* Each writes to f and flushes it: 0, or -errno (-ENOMEM, or the write's). JSON is indented by
 * 2 spaces and ends in a newline. */
int scan_write_text(const ScanReport *reports, size_t n, FILE *f);
int scan_write_json(const ScanReport *reports, size_t n, FILE *f);
int scan_write_sarif(const ScanReport *reports, size_t n, FILE *f);

/* `airlock scan --rules`: "ID  SEVERITY  LANGUAGE  description", one rule a line. */
int scan_write_rules_text(const ScanRule *const *rules, size_t n, FILE *f);
/* {"rules": [{"id", "language", "severity", "description", "example"}]} */
int scan_write_rules_json(const ScanRule *const *rules, size_t n, FILE *f);
/* One Markdown table per language (id, severity, description, example), in the order the
 * languages first appear; what docs/SCAN_RULES.md carries between its markers. */
int scan_write_rules_markdown(const ScanRule *const *rules, size_t n, FILE *f);

/* s (len bytes, may hold anything) as one line for a terminal, escaped as above. */
void scan_write_escaped(FILE *f, const char *s, size_t len);
