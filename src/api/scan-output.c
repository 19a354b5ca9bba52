#include "scan-output.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "basic/macros.h"
#include "basic/utf8.h"

/* json_decrefp() is jansson's own (2.11+), the one behind its json_auto_t. */
#define _cleanup_json_ _cleanup_(json_decrefp)

#define SARIF_SCHEMA                                                                               \
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/"                      \
        "sarif-schema-2.1.0.json"

static const char *severity_name(const ScanRule *rule)
{
        const char *s = rule ? scan_severity_to_string(rule->severity) : NULL;

        return s ? s : "unknown";
}

static const char *language_name(ScanLanguage l)
{
        const char *s = scan_language_to_string(l);

        return s ? s : "unknown";
}

static const char *str_or_empty(const char *s)
{
        return s ? s : "";
}

/* A JSON string of any bytes: as they are when valid UTF-8, else with U+FFFD for each invalid
 * byte (jansson refuses invalid UTF-8, and a report must never fail on a hostile file name). */
static json_t *json_text(const char *s, size_t len)
{
        _cleanup_free_ char *valid = NULL;
        size_t valid_len;

        if (!s)
                return json_string("");
        if (utf8_is_valid(s, len))
                return json_stringn(s, len);
        if (utf8_make_valid(s, len, &valid, &valid_len) < 0)
                return NULL;
        return json_stringn(valid, valid_len);
}

static json_t *json_cstr(const char *s)
{
        return json_text(s, s ? strlen(s) : 0);
}

/* A fixed-size field of ScanFinding, NUL-terminated when it came from scan_report_add(). */
#define json_field(f) json_text((f), strnlen((f), sizeof(f)))

/* Appends v (a new reference, NULL when its allocation failed) to a; -1 on any failure. */
static int append(json_t *a, json_t *v)
{
        return v ? json_array_append_new(a, v) : -1;
}

static size_t count_findings(const ScanReport *reports, size_t n, size_t by_sev[_SCAN_SEV_MAX])
{
        size_t total = 0;

        for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < reports[i].n_findings; j++) {
                        const ScanRule *rule = reports[i].findings[j].rule;

                        if (by_sev && rule && rule->severity >= 0 && rule->severity < _SCAN_SEV_MAX)
                                by_sev[rule->severity]++;
                        total++;
                }
        return total;
}

/* json_pack steals "o" references even when it fails, and fails on a NULL one: out of memory
 * anywhere gives NULL without leaks. The layouts mirror the schemas in scan-output.h, one key a
 * line, hence no clang-format around them. */

/* --- JSON -------------------------------------------------------------------------------- */

static json_t *finding_to_json(const ScanFinding *f)
{
        // clang-format off
        return json_pack("{s:o, s:s, s:I, s:I, s:o, s:o, s:o}",
                         "rule", json_cstr(f->rule ? f->rule->id : NULL),
                         "severity", severity_name(f->rule),
                         "line", (json_int_t)f->line,
                         "column", (json_int_t)f->column,
                         "snippet", json_field(f->snippet),
                         "reason", json_field(f->reason),
                         "description", json_cstr(f->rule ? f->rule->description : NULL));
        // clang-format on
}

static json_t *report_to_json(const ScanReport *r)
{
        _cleanup_json_ json_t *findings = json_array();

        if (!findings)
                return NULL;
        for (size_t i = 0; i < r->n_findings; i++)
                if (append(findings, finding_to_json(&r->findings[i])) < 0)
                        return NULL;
        // clang-format off
        return json_pack("{s:o, s:s, s:O, s:b}",
                         "path", json_cstr(r->path ? r->path : "-"),
                         "language", language_name(r->language),
                         "findings", findings,
                         "truncated", r->truncated);
        // clang-format on
}

json_t *scan_reports_to_json(const ScanReport *reports, size_t n)
{
        _cleanup_json_ json_t *files = json_array();
        size_t by_sev[_SCAN_SEV_MAX] = {0}, total = count_findings(reports, n, by_sev);

        if (!files)
                return NULL;
        for (size_t i = 0; i < n; i++)
                if (append(files, report_to_json(&reports[i])) < 0)
                        return NULL;
        // clang-format off
        return json_pack("{s:O, s:{s:I, s:I, s:{s:I, s:I, s:I, s:I, s:I}}}",
                         "files", files,
                         "summary",
                         "files", (json_int_t)n,
                         "findings", (json_int_t)total,
                         "by_severity",
                         "critical", (json_int_t)by_sev[SCAN_SEV_CRITICAL],
                         "high", (json_int_t)by_sev[SCAN_SEV_HIGH],
                         "medium", (json_int_t)by_sev[SCAN_SEV_MEDIUM],
                         "low", (json_int_t)by_sev[SCAN_SEV_LOW],
                         "info", (json_int_t)by_sev[SCAN_SEV_INFO]);
        // clang-format on
}

static json_t *rule_to_json(const ScanRule *rule)
{
        // clang-format off
        return json_pack("{s:o, s:s, s:s, s:o, s:o}",
                         "id", json_cstr(rule->id),
                         "language", language_name(rule->language),
                         "severity", severity_name(rule),
                         "description", json_cstr(rule->description),
                         "example", json_cstr(rule->example));
        // clang-format on
}

json_t *scan_rules_to_json(const ScanRule *const *rules, size_t n)
{
        _cleanup_json_ json_t *a = json_array();

        if (!a)
                return NULL;
        for (size_t i = 0; i < n; i++)
                if (append(a, rule_to_json(rules[i])) < 0)
                        return NULL;
        return json_pack("{s:O}", "rules", a);
}

/* --- SARIF ------------------------------------------------------------------------------- */

static const char *sarif_level(const ScanRule *rule)
{
        if (!rule || rule->severity >= SCAN_SEV_HIGH)
                return "error";
        return rule->severity == SCAN_SEV_MEDIUM ? "warning" : "note";
}

/* GitHub code scanning ranks security results by this number (critical > 9, high 7 to 8.9,
 * medium 4 to 6.9, low below 4), not by level. */
static const char *sarif_security_severity(const ScanRule *rule)
{
        static const char *const scores[_SCAN_SEV_MAX] = {
            [SCAN_SEV_INFO] = "0.0", [SCAN_SEV_LOW] = "3.0",      [SCAN_SEV_MEDIUM] = "5.5",
            [SCAN_SEV_HIGH] = "8.0", [SCAN_SEV_CRITICAL] = "9.5",
        };

        if (!rule || rule->severity < 0 || rule->severity >= _SCAN_SEV_MAX)
                return "0.0";
        return scores[rule->severity];
}

/* artifactLocation.uri must be a URI reference: every byte but unreserved ones and '/' is
 * percent-encoded (spaces, '%', ':' that would read as a scheme, invalid UTF-8), and an
 * absolute path becomes a file:// URI. */
static json_t *path_to_uri(const char *path)
{
        static const char hex[] = "0123456789ABCDEF";
        _cleanup_free_ char *uri = NULL;
        size_t len, used = 0;

        path = path ? path : "-";
        len = strlen(path);
        uri = malloc(len * 3 + sizeof("file://"));
        if (!uri)
                return NULL;
        if (path[0] == '/')
                used = (size_t)sprintf(uri, "file://");
        for (size_t i = 0; i < len; i++) {
                unsigned char c = (unsigned char)path[i];

                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    strchr("-._~/", c))
                        uri[used++] = (char)c;
                else {
                        uri[used++] = '%';
                        uri[used++] = hex[c >> 4];
                        uri[used++] = hex[c & 15];
                }
        }
        uri[used] = '\0';
        return json_string(uri);
}

static json_t *sarif_rule(const ScanRule *rule)
{
        _cleanup_free_ char *full = NULL;

        if (asprintf(&full, "%s Example: %s", str_or_empty(rule->description),
                     str_or_empty(rule->example)) < 0)
                return NULL;
        // clang-format off
        return json_pack("{s:o, s:{s:o}, s:{s:o}, s:{s:s}, s:{s:s, s:s, s:[s]}}",
                         "id", json_cstr(rule->id),
                         "shortDescription", "text", json_cstr(rule->description),
                         "fullDescription", "text", json_cstr(full),
                         "defaultConfiguration", "level", sarif_level(rule),
                         "properties",
                         "severity", severity_name(rule),
                         "security-severity", sarif_security_severity(rule),
                         "tags", "security");
        // clang-format on
}

static json_t *sarif_result(const ScanReport *r, const ScanFinding *f, size_t rule_index)
{
        // clang-format off
        return json_pack("{s:o, s:I, s:s, s:{s:o},"
                         " s:[{s:{s:{s:o}, s:{s:I, s:I, s:{s:o}}}}]}",
                         "ruleId", json_cstr(f->rule ? f->rule->id : NULL),
                         "ruleIndex", (json_int_t)rule_index,
                         "level", sarif_level(f->rule),
                         "message", "text", json_field(f->reason),
                         "locations",
                         "physicalLocation",
                         "artifactLocation", "uri", path_to_uri(r->path),
                         "region",
                         "startLine", (json_int_t)MAX(f->line, 1u),
                         "startColumn", (json_int_t)MAX(f->column, 1u),
                         "snippet", "text", json_field(f->snippet));
        // clang-format on
}

/* The driver's rules: the whole registry, so that a consumer knows every rule, not only the
 * ones that fired, then any other rule a finding names (a caller's own table). */
static int sarif_rule_list(const ScanReport *reports, size_t n, const ScanRule ***ret,
                           size_t *ret_n)
{
        size_t n_registry = 0, used;
        const ScanRule *const *registry = scan_all_rules(&n_registry);
        const ScanRule **list;

        if (!registry)
                n_registry = 0;
        list = calloc(n_registry + count_findings(reports, n, NULL) + 1, sizeof(*list));
        if (!list)
                return -ENOMEM;
        used = n_registry;
        if (n_registry)
                memcpy(list, registry, n_registry * sizeof(*list));
        for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < reports[i].n_findings; j++) {
                        const ScanRule *rule = reports[i].findings[j].rule;
                        size_t k = 0;

                        while (k < used && list[k] != rule)
                                k++;
                        if (k == used && rule)
                                list[used++] = rule;
                }
        *ret = list;
        *ret_n = used;
        return 0;
}

static size_t rule_index(const ScanRule *const *list, size_t n, const ScanRule *rule)
{
        for (size_t k = 0; k < n; k++)
                if (list[k] == rule)
                        return k;
        return 0; /* not reached: sarif_rule_list() put every finding's rule in the list */
}

static json_t *sarif_notifications(const ScanReport *reports, size_t n)
{
        _cleanup_json_ json_t *a = json_array();

        if (!a)
                return NULL;
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *text = NULL;

                if (!reports[i].truncated)
                        continue;
                if (asprintf(&text, "%s: more than %d findings, the rest were dropped",
                             str_or_empty(reports[i].path), SCAN_MAX_FINDINGS) < 0)
                        return NULL;
                if (append(a, json_pack("{s:s, s:{s:o}}", "level", "warning", "message", "text",
                                        json_cstr(text))) < 0)
                        return NULL;
        }
        return json_incref(a);
}

json_t *scan_reports_to_sarif(const ScanReport *reports, size_t n)
{
        _cleanup_free_ const ScanRule **list = NULL;
        _cleanup_json_ json_t *rules = json_array(), *results = json_array();
        size_t n_list = 0;

        if (!rules || !results || sarif_rule_list(reports, n, &list, &n_list) < 0)
                return NULL;
        for (size_t k = 0; k < n_list; k++)
                if (append(rules, sarif_rule(list[k])) < 0)
                        return NULL;
        for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < reports[i].n_findings; j++) {
                        const ScanFinding *f = &reports[i].findings[j];

                        if (append(results, sarif_result(&reports[i], f,
                                                         rule_index(list, n_list, f->rule))) < 0)
                                return NULL;
                }
        // clang-format off
        return json_pack("{s:s, s:s, s:[{s:{s:{s:s, s:s, s:O}}, s:[{s:b, s:o}], s:O}]}",
                         "$schema", SARIF_SCHEMA,
                         "version", "2.1.0",
                         "runs",
                         "tool", "driver",
                         "name", "airlock",
                         "version", AIRLOCK_VERSION,
                         "rules", rules,
                         "invocations",
                         "executionSuccessful", true,
                         "toolExecutionNotifications", sarif_notifications(reports, n),
                         "results", results);
        // clang-format on
}

/* --- writers ----------------------------------------------------------------------------- */

static int finish(FILE *f)
{
        if (ferror(f) || fflush(f) != 0)
                return negative_errno();
        return 0;
}

static int write_json(json_t *j, FILE *f)
{
        _cleanup_json_ json_t *owned = j;

        if (!owned)
                return -ENOMEM;
        if (json_dumpf(owned, f, JSON_INDENT(2)) < 0 || fputc('\n', f) == EOF)
                return negative_errno();
        return finish(f);
}

int scan_write_json(const ScanReport *reports, size_t n, FILE *f)
{
        return write_json(scan_reports_to_json(reports, n), f);
}

int scan_write_sarif(const ScanReport *reports, size_t n, FILE *f)
{
        return write_json(scan_reports_to_sarif(reports, n), f);
}

int scan_write_rules_json(const ScanRule *const *rules, size_t n, FILE *f)
{
        return write_json(scan_rules_to_json(rules, n), f);
}

/* Code points that could end the line or drive the terminal: C0, DEL, C1, bidi overrides. */
static bool must_escape(uint32_t cp)
{
        return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) ||
               (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* The same escapes as scan.c's, so that text it already escaped passes through unchanged. */
void scan_write_escaped(FILE *f, const char *s, size_t len)
{
        size_t i = 0;

        while (s && i < len) {
                uint32_t cp;
                int n = utf8_decode(s + i, len - i, &cp);

                if (n < 0) {
                        fprintf(f, "\\x%02x", (unsigned char)s[i]);
                        n = 1;
                } else if (cp == '\t' || cp == '\n' || cp == '\r')
                        fputs(cp == '\t' ? "\\t" : cp == '\n' ? "\\n" : "\\r", f);
                else if (must_escape(cp))
                        fprintf(f, cp < 0x80 ? "\\x%02" PRIx32 : "\\u%04" PRIx32, cp);
                else
                        fwrite(s + i, 1, (size_t)n, f);
                i += (size_t)n;
        }
}

static void write_escaped_str(FILE *f, const char *s)
{
        scan_write_escaped(f, s, s ? strlen(s) : 0);
}

#define write_escaped_field(f, field)                                                              \
        scan_write_escaped((f), (field), strnlen((field), sizeof(field)))

static const char *plural(size_t n, const char *one, const char *many)
{
        return n == 1 ? one : many;
}

int scan_write_text(const ScanReport *reports, size_t n, FILE *f)
{
        size_t by_sev[_SCAN_SEV_MAX] = {0}, total = count_findings(reports, n, by_sev);
        bool first = true;

        for (size_t i = 0; i < n; i++) {
                const ScanReport *r = &reports[i];

                for (size_t j = 0; j < r->n_findings; j++) {
                        const ScanFinding *x = &r->findings[j];

                        write_escaped_str(f, r->path ? r->path : "-");
                        fprintf(f, ":%" PRIu32 ":%" PRIu32 ": %s ", x->line, x->column,
                                severity_name(x->rule));
                        write_escaped_str(f, x->rule ? x->rule->id : "?");
                        fputs(": ", f);
                        write_escaped_field(f, x->reason);
                        fputc('\n', f);
                        if (x->snippet[0]) {
                                fputs("    ", f);
                                write_escaped_field(f, x->snippet);
                                fputc('\n', f);
                        }
                }
                if (r->truncated) {
                        write_escaped_str(f, r->path ? r->path : "-");
                        fprintf(f, ": more than %d findings, the rest were dropped\n",
                                SCAN_MAX_FINDINGS);
                }
        }

        fprintf(f, "%zu %s scanned, ", n, plural(n, "file", "files"));
        if (total == 0)
                fputs("no findings\n", f);
        else {
                fprintf(f, "%zu %s (", total, plural(total, "finding", "findings"));
                for (int s = _SCAN_SEV_MAX - 1; s >= 0; s--)
                        if (by_sev[s]) {
                                fprintf(f, "%s%zu %s", first ? "" : ", ", by_sev[s],
                                        scan_severity_to_string((ScanSeverity)s));
                                first = false;
                        }
                fputs(")\n", f);
        }
        return finish(f);
}

int scan_write_rules_text(const ScanRule *const *rules, size_t n, FILE *f)
{
        int width = 8;

        for (size_t i = 0; i < n; i++)
                width = MAX(width, (int)strlen(str_or_empty(rules[i]->id)));
        for (size_t i = 0; i < n; i++)
                fprintf(f, "%-*s  %-8s  %-6s  %s\n", width, str_or_empty(rules[i]->id),
                        severity_name(rules[i]), language_name(rules[i]->language),
                        str_or_empty(rules[i]->description));
        fprintf(f, "%zu %s\n", n, plural(n, "rule", "rules"));
        return finish(f);
}

/* --- Markdown ---------------------------------------------------------------------------- */

/* Prose in a table cell: Markdown's own characters are escaped outside `code spans`, which
 * authors may use; a '|' is escaped everywhere (GFM reads it as a cell border even in code). */
static void md_text(FILE *f, const char *s)
{
        bool code = false;

        for (; s && *s; s++) {
                if (*s == '`')
                        code = !code;
                else if (*s == '|' || (!code && strchr("\\*_<>[]", *s)))
                        fputc('\\', f);
                fputc(*s == '\n' ? ' ' : *s, f);
        }
}

/* s as one code span: fenced by more backticks than its longest run of them, padded with a
 * space when it starts or ends with one. */
static void md_code(FILE *f, const char *s)
{
        size_t run = 0, longest = 0, len;
        bool pad;

        s = str_or_empty(s);
        len = strlen(s);
        for (const char *p = s; *p; p++) {
                run = *p == '`' ? run + 1 : 0;
                longest = MAX(longest, run);
        }
        pad = len > 0 && (s[0] == '`' || s[len - 1] == '`');
        for (size_t i = 0; i <= longest; i++)
                fputc('`', f);
        if (pad)
                fputc(' ', f);
        for (const char *p = s; *p; p++) {
                if (*p == '|')
                        fputc('\\', f);
                fputc(*p == '\n' ? ' ' : *p, f);
        }
        if (pad)
                fputc(' ', f);
        for (size_t i = 0; i <= longest; i++)
                fputc('`', f);
}

static const char *language_title(ScanLanguage l)
{
        switch (l) {
        case SCAN_LANG_PYTHON:
                return "Python";
        case SCAN_LANG_SHELL:
                return "Shell";
        default:
                return "Other";
        }
}

int scan_write_rules_markdown(const ScanRule *const *rules, size_t n, FILE *f)
{
        bool any = false;

        for (int l = 0; l < _SCAN_LANG_MAX; l++) {
                bool header = false;

                for (size_t i = 0; i < n; i++) {
                        if ((int)rules[i]->language != l)
                                continue;
                        if (!header) {
                                fprintf(f, "%s### %s\n\n", any ? "\n" : "",
                                        language_title((ScanLanguage)l));
                                fputs("| ID | Severity | Description | Example |\n"
                                      "|----|----------|-------------|---------|\n",
                                      f);
                                header = any = true;
                        }
                        fputs("| ", f);
                        md_code(f, rules[i]->id);
                        fprintf(f, " | %s | ", severity_name(rules[i]));
                        md_text(f, rules[i]->description);
                        fputs(" | ", f);
                        md_code(f, rules[i]->example);
                        fputs(" |\n", f);
                }
        }
        if (!any)
                fputs("_No rules yet._\n", f);
        return finish(f);
}
