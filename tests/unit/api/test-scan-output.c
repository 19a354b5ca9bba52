/* What `airlock scan` prints (api/scan-output.c), from reports built by hand with fake rules:
 * text, JSON and SARIF, and the rule listings behind docs/SCAN_RULES.md. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "api/scan-output.h"
#include "basic/utf8.h"

static const ScanRule rule_crit = {"TEST-CRIT-001", SCAN_LANG_PYTHON, SCAN_SEV_CRITICAL,
                                   "runs a string as code", "exec(x)"};
static const ScanRule rule_med = {"TEST-MED-001", SCAN_LANG_SHELL, SCAN_SEV_MEDIUM,
                                  "pipes a download into a shell", "curl x | sh"};
static const ScanRule rule_low = {"TEST-LOW-001", SCAN_LANG_SHELL, SCAN_SEV_LOW,
                                  "reads the environment", "env"};
static const ScanRule rule_info = {"TEST-INFO-001", SCAN_LANG_PYTHON, SCAN_SEV_INFO,
                                   "imports __future__ *stuff*", "`a` | b"};

static ScanReport reports[2];

static void setup(void)
{
        reports[0] = (ScanReport){.path = strdup("tool.py"), .language = SCAN_LANG_PYTHON};
        reports[1] = (ScanReport){.path = strdup("run.sh"), .language = SCAN_LANG_SHELL};
        cr_assert_not_null(reports[0].path);
        cr_assert_not_null(reports[1].path);
}

static void teardown(void)
{
        scan_report_done(&reports[0]);
        scan_report_done(&reports[1]);
}

TestSuite(scan_output, .init = setup, .fini = teardown);

static void add(ScanReport *r, const ScanRule *rule, uint32_t line, uint32_t col,
                const char *snippet, const char *reason)
{
        cr_assert_eq(scan_report_add(r, rule, line, col, snippet, strlen(snippet), "%s", reason),
                     0);
}

/* Both reports with a finding or two. */
static void fill(void)
{
        add(&reports[0], &rule_crit, 3, 1, "exec(payload)", "exec() of a decoded string");
        add(&reports[1], &rule_med, 2, 5, "curl -s x | sh", "curl piped into sh");
        add(&reports[1], &rule_low, 9, 1, "env", "dumps the environment");
}

typedef int (*Writer)(const ScanReport *, size_t, FILE *);

static char *render(Writer w, size_t n)
{
        char *s = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&s, &len);

        cr_assert_not_null(f);
        cr_assert_eq(w(reports, n, f), 0);
        fclose(f);
        return s;
}

/* Renders, then parses back strictly: jansson's loader refuses invalid UTF-8. */
static json_t *render_json(Writer w, size_t n)
{
        char *s = render(w, n);
        json_error_t e;
        json_t *j;

        cr_assert(utf8_is_valid(s, strlen(s)));
        j = json_loads(s, 0, &e);
        cr_assert_not_null(j, "%s: %s", e.text, s);
        free(s);
        return j;
}

static const char *get_str(json_t *o, const char *path)
{
        json_t *v = json_object_get(o, path);

        cr_assert(json_is_string(v), "%s is not a string", path);
        return json_string_value(v);
}

static json_int_t get_int(json_t *o, const char *key)
{
        json_t *v = json_object_get(o, key);

        cr_assert(json_is_integer(v), "%s is not an integer", key);
        return json_integer_value(v);
}

/* --- text -------------------------------------------------------------------------------- */

Test(scan_output, text_lines_and_summary)
{
        char *s;

        fill();
        s = render(scan_write_text, 2);
        cr_assert_str_eq(s, "tool.py:3:1: critical TEST-CRIT-001: exec() of a decoded string\n"
                            "    exec(payload)\n"
                            "run.sh:2:5: medium TEST-MED-001: curl piped into sh\n"
                            "    curl -s x | sh\n"
                            "run.sh:9:1: low TEST-LOW-001: dumps the environment\n"
                            "    env\n"
                            "2 files scanned, 3 findings (1 critical, 1 medium, 1 low)\n");
        free(s);
}

Test(scan_output, text_clean)
{
        char *s = render(scan_write_text, 1);

        cr_assert_str_eq(s, "1 file scanned, no findings\n");
        free(s);
}

Test(scan_output, text_one_finding_no_snippet)
{
        char *s;

        add(&reports[0], &rule_crit, 1, 1, "", "r");
        s = render(scan_write_text, 1);
        cr_assert_str_eq(s, "tool.py:1:1: critical TEST-CRIT-001: r\n"
                            "1 file scanned, 1 finding (1 critical)\n");
        free(s);
}

/* A file name is chosen by whoever wrote the code: it must not forge a line or reach the
 * terminal. */
Test(scan_output, text_escapes_the_path)
{
        char *s;

        free(reports[0].path);
        reports[0].path = strdup("evil\n.py:1:1: info X: ok\x1b[2J\xff");
        add(&reports[0], &rule_crit, 1, 1, "x", "r");
        s = render(scan_write_text, 1);
        cr_assert_str_eq(s,
                         "evil\\n.py:1:1: info X: ok\\x1b[2J\\xff:1:1: critical TEST-CRIT-001: r\n"
                         "    x\n"
                         "1 file scanned, 1 finding (1 critical)\n");
        free(s);
}

Test(scan_output, text_escapes_a_finding_made_by_hand)
{
        char *s;

        add(&reports[0], &rule_crit, 1, 1, "x", "r");
        memcpy(reports[0].findings[0].snippet, "a\nb\xff", 5);
        memset(reports[0].findings[0].reason, 'r', sizeof(reports[0].findings[0].reason));
        s = render(scan_write_text, 1); /* an unterminated reason is read to its end only */
        cr_assert_not_null(strstr(s, "    a\\nb\\xff\n"), "%s", s);
        free(s);
}

Test(scan_output, text_says_when_findings_were_dropped)
{
        char *s;

        add(&reports[0], &rule_crit, 1, 1, "x", "r");
        reports[0].truncated = true;
        s = render(scan_write_text, 1);
        cr_assert_not_null(strstr(s, "tool.py: more than 1000 findings, the rest were dropped\n"),
                           "%s", s);
        free(s);
}

/* --- JSON -------------------------------------------------------------------------------- */

Test(scan_output, json_layout)
{
        json_t *j, *files, *f0, *fi, *sum, *by;

        fill();
        reports[1].truncated = true;
        j = render_json(scan_write_json, 2);
        files = json_object_get(j, "files");
        cr_assert_eq(json_array_size(files), 2);
        f0 = json_array_get(files, 0);
        cr_assert_str_eq(get_str(f0, "path"), "tool.py");
        cr_assert_str_eq(get_str(f0, "language"), "python");
        cr_assert(json_is_false(json_object_get(f0, "truncated")));
        cr_assert(json_is_true(json_object_get(json_array_get(files, 1), "truncated")));
        cr_assert_str_eq(get_str(json_array_get(files, 1), "language"), "sh");

        fi = json_array_get(json_object_get(f0, "findings"), 0);
        cr_assert_eq(json_object_size(fi), 7);
        cr_assert_str_eq(get_str(fi, "rule"), "TEST-CRIT-001");
        cr_assert_str_eq(get_str(fi, "severity"), "critical");
        cr_assert_eq(get_int(fi, "line"), 3);
        cr_assert_eq(get_int(fi, "column"), 1);
        cr_assert_str_eq(get_str(fi, "snippet"), "exec(payload)");
        cr_assert_str_eq(get_str(fi, "reason"), "exec() of a decoded string");
        cr_assert_str_eq(get_str(fi, "description"), "runs a string as code");

        sum = json_object_get(j, "summary");
        cr_assert_eq(get_int(sum, "files"), 2);
        cr_assert_eq(get_int(sum, "findings"), 3);
        by = json_object_get(sum, "by_severity");
        cr_assert_eq(json_object_size(by), 5);
        cr_assert_eq(get_int(by, "critical"), 1);
        cr_assert_eq(get_int(by, "high"), 0);
        cr_assert_eq(get_int(by, "medium"), 1);
        cr_assert_eq(get_int(by, "low"), 1);
        cr_assert_eq(get_int(by, "info"), 0);
        json_decref(j);
}

Test(scan_output, json_of_no_file)
{
        json_t *j = render_json(scan_write_json, 0);

        cr_assert_eq(json_array_size(json_object_get(j, "files")), 0);
        cr_assert_eq(get_int(json_object_get(j, "summary"), "findings"), 0);
        json_decref(j);
}

/* Invalid UTF-8 in a path or in a snippet (a finding filled by hand, past the core's escaping)
 * becomes U+FFFD: the document stays valid JSON. */
Test(scan_output, json_is_valid_utf8_whatever_the_input)
{
        json_t *j, *f0, *fi;

        free(reports[0].path);
        reports[0].path = strdup("bad\xff\xfe.py");
        add(&reports[0], &rule_crit, 1, 1, "x", "r");
        memcpy(reports[0].findings[0].snippet, "a\xc3(\0", 4);
        memcpy(reports[0].findings[0].reason, "\xed\xa0\x80!", 5); /* a surrogate: invalid */
        j = render_json(scan_write_json, 1);
        f0 = json_array_get(json_object_get(j, "files"), 0);
        cr_assert_str_eq(get_str(f0, "path"), "bad" UTF8_REPLACEMENT UTF8_REPLACEMENT ".py");
        fi = json_array_get(json_object_get(f0, "findings"), 0);
        cr_assert_str_eq(get_str(fi, "snippet"), "a" UTF8_REPLACEMENT "(");
        cr_assert_str_eq(get_str(fi, "reason"),
                         UTF8_REPLACEMENT UTF8_REPLACEMENT UTF8_REPLACEMENT "!");
        json_decref(j);
}

/* --- SARIF ------------------------------------------------------------------------------- */

static json_t *sarif_rule(json_t *rules, const char *id, size_t *ret_index)
{
        for (size_t i = 0; i < json_array_size(rules); i++)
                if (strcmp(get_str(json_array_get(rules, i), "id"), id) == 0) {
                        if (ret_index)
                                *ret_index = i;
                        return json_array_get(rules, i);
                }
        cr_assert_fail("rule %s is not in the driver's rules", id);
        return NULL;
}

Test(scan_output, sarif_log_layout)
{
        json_t *j, *run, *driver, *rules, *results, *res, *loc, *region, *r;
        size_t idx = 99;

        fill();
        j = render_json(scan_write_sarif, 2);
        cr_assert_str_eq(get_str(j, "version"), "2.1.0");
        cr_assert_not_null(strstr(get_str(j, "$schema"), "sarif-schema-2.1.0.json"));
        cr_assert_eq(json_array_size(json_object_get(j, "runs")), 1);
        run = json_array_get(json_object_get(j, "runs"), 0);
        driver = json_object_get(json_object_get(run, "tool"), "driver");
        cr_assert_str_eq(get_str(driver, "name"), "airlock");
        rules = json_object_get(driver, "rules");

        /* The fake rules are not in the registry: they are listed because a finding names them. */
        r = sarif_rule(rules, "TEST-CRIT-001", &idx);
        cr_assert_str_eq(get_str(json_object_get(r, "shortDescription"), "text"),
                         "runs a string as code");
        cr_assert_str_eq(get_str(json_object_get(r, "defaultConfiguration"), "level"), "error");
        cr_assert_str_eq(get_str(json_object_get(r, "properties"), "severity"), "critical");
        cr_assert_str_eq(get_str(json_object_get(sarif_rule(rules, "TEST-MED-001", NULL),
                                                 "defaultConfiguration"),
                                 "level"),
                         "warning");
        cr_assert_str_eq(get_str(json_object_get(sarif_rule(rules, "TEST-LOW-001", NULL),
                                                 "defaultConfiguration"),
                                 "level"),
                         "note");

        results = json_object_get(run, "results");
        cr_assert_eq(json_array_size(results), 3);
        res = json_array_get(results, 0);
        cr_assert_str_eq(get_str(res, "ruleId"), "TEST-CRIT-001");
        cr_assert_eq(get_int(res, "ruleIndex"), (json_int_t)idx);
        cr_assert_str_eq(get_str(res, "level"), "error");
        cr_assert_str_eq(get_str(json_object_get(res, "message"), "text"),
                         "exec() of a decoded string");
        cr_assert_eq(json_array_size(json_object_get(res, "locations")), 1);
        loc = json_object_get(json_array_get(json_object_get(res, "locations"), 0),
                              "physicalLocation");
        cr_assert_str_eq(get_str(json_object_get(loc, "artifactLocation"), "uri"), "tool.py");
        region = json_object_get(loc, "region");
        cr_assert_eq(get_int(region, "startLine"), 3);
        cr_assert_eq(get_int(region, "startColumn"), 1);
        cr_assert_str_eq(get_str(json_object_get(region, "snippet"), "text"), "exec(payload)");
        cr_assert_str_eq(get_str(json_array_get(results, 1), "level"), "warning");
        cr_assert_str_eq(get_str(json_array_get(results, 2), "level"), "note");

        /* Every result's ruleIndex names its own rule. */
        for (size_t i = 0; i < json_array_size(results); i++) {
                json_t *x = json_array_get(results, i);

                cr_assert_str_eq(
                    get_str(json_array_get(rules, (size_t)get_int(x, "ruleIndex")), "id"),
                    get_str(x, "ruleId"));
        }
        json_decref(j);
}

Test(scan_output, sarif_info_is_a_note)
{
        json_t *j, *res;

        add(&reports[0], &rule_info, 1, 1, "x", "r");
        j = render_json(scan_write_sarif, 1);
        res = json_array_get(
            json_object_get(json_array_get(json_object_get(j, "runs"), 0), "results"), 0);
        cr_assert_str_eq(get_str(res, "level"), "note");
        json_decref(j);
}

static const char *first_uri(json_t *j)
{
        json_t *res = json_array_get(
            json_object_get(json_array_get(json_object_get(j, "runs"), 0), "results"), 0);
        json_t *loc = json_object_get(json_array_get(json_object_get(res, "locations"), 0),
                                      "physicalLocation");

        return get_str(json_object_get(loc, "artifactLocation"), "uri");
}

Test(scan_output, sarif_uri_is_percent_encoded)
{
        static const struct {
                const char *path, *uri;
        } cases[] = {
            {"dir/a b.py", "dir/a%20b.py"},
            {"/abs/x-1_~.py", "file:///abs/x-1_~.py"},
            {"c:x.py", "c%3Ax.py"}, /* not a scheme */
            {"50%.py", "50%25.py"},
            {"bad\xff.py", "bad%FF.py"},
            {"caf\xc3\xa9.sh", "caf%C3%A9.sh"},
            {"-", "-"},
        };

        add(&reports[0], &rule_crit, 1, 1, "x", "r");
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                json_t *j;

                free(reports[0].path);
                reports[0].path = strdup(cases[i].path);
                j = render_json(scan_write_sarif, 1);
                cr_assert_str_eq(first_uri(j), cases[i].uri);
                json_decref(j);
        }
}

Test(scan_output, sarif_snippet_and_message_are_valid_utf8)
{
        json_t *j;

        add(&reports[0], &rule_crit, 1, 1, "x", "r");
        memcpy(reports[0].findings[0].snippet, "\xff", 2);
        memcpy(reports[0].findings[0].reason, "\xc0\x80", 3); /* overlong NUL: invalid */
        j = render_json(scan_write_sarif, 1);
        json_decref(j);
}

Test(scan_output, sarif_notes_dropped_findings)
{
        json_t *j, *inv, *notes;

        reports[0].truncated = true;
        j = render_json(scan_write_sarif, 1);
        inv = json_array_get(
            json_object_get(json_array_get(json_object_get(j, "runs"), 0), "invocations"), 0);
        cr_assert(json_is_true(json_object_get(inv, "executionSuccessful")));
        notes = json_object_get(inv, "toolExecutionNotifications");
        cr_assert_eq(json_array_size(notes), 1);
        cr_assert_not_null(
            strstr(get_str(json_object_get(json_array_get(notes, 0), "message"), "text"),
                   "tool.py: more than 1000 findings"));
        json_decref(j);
}

Test(scan_output, sarif_lists_every_registry_rule)
{
        size_t n = 0;
        const ScanRule *const *all = scan_all_rules(&n);
        json_t *j = render_json(scan_write_sarif, 1), *rules;

        rules = json_object_get(
            json_object_get(json_object_get(json_array_get(json_object_get(j, "runs"), 0), "tool"),
                            "driver"),
            "rules");
        cr_assert_eq(json_array_size(rules), n);
        for (size_t i = 0; i < n; i++)
                cr_assert_str_eq(get_str(json_array_get(rules, i), "id"), all[i]->id);
        json_decref(j);
}

/* --- rule listings ----------------------------------------------------------------------- */

static const ScanRule *const fake_rules[] = {&rule_crit, &rule_info, &rule_med, &rule_low};

typedef int (*RulesWriter)(const ScanRule *const *, size_t, FILE *);

static char *render_rules(RulesWriter w, const ScanRule *const *rules, size_t n)
{
        char *s = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&s, &len);

        cr_assert_not_null(f);
        cr_assert_eq(w(rules, n, f), 0);
        fclose(f);
        return s;
}

Test(scan_output, rules_text)
{
        char *s = render_rules(scan_write_rules_text, fake_rules, 2);

        cr_assert_str_eq(s, "TEST-CRIT-001  critical  python  runs a string as code\n"
                            "TEST-INFO-001  info      python  imports __future__ *stuff*\n"
                            "2 rules\n");
        free(s);
}

Test(scan_output, rules_json)
{
        char *s = render_rules(scan_write_rules_json, fake_rules, 4);
        json_t *j = json_loads(s, 0, NULL), *r;

        cr_assert_not_null(j);
        cr_assert_eq(json_array_size(json_object_get(j, "rules")), 4);
        r = json_array_get(json_object_get(j, "rules"), 2);
        cr_assert_str_eq(get_str(r, "id"), "TEST-MED-001");
        cr_assert_str_eq(get_str(r, "language"), "sh");
        cr_assert_str_eq(get_str(r, "severity"), "medium");
        cr_assert_str_eq(get_str(r, "description"), "pipes a download into a shell");
        cr_assert_str_eq(get_str(r, "example"), "curl x | sh");
        json_decref(j);
        free(s);
}

Test(scan_output, rules_markdown_one_table_per_language)
{
        char *s = render_rules(scan_write_rules_markdown, fake_rules, 4);

        cr_assert_str_eq(
            s, "### Python\n\n"
               "| ID | Severity | Description | Example |\n"
               "|----|----------|-------------|---------|\n"
               "| `TEST-CRIT-001` | critical | runs a string as code | `exec(x)` |\n"
               "| `TEST-INFO-001` | info | imports \\_\\_future\\_\\_ \\*stuff\\* | `` `a` \\| b "
               "`` |\n"
               "\n### Shell\n\n"
               "| ID | Severity | Description | Example |\n"
               "|----|----------|-------------|---------|\n"
               "| `TEST-MED-001` | medium | pipes a download into a shell | `curl x \\| sh` |\n"
               "| `TEST-LOW-001` | low | reads the environment | `env` |\n");
        free(s);
}

Test(scan_output, rules_markdown_keeps_code_spans_in_descriptions)
{
        static const ScanRule r = {"PY-X-001", SCAN_LANG_PYTHON, SCAN_SEV_HIGH,
                                   "calls `__import__` with a_b", "__import__('os')"};
        const ScanRule *const list[] = {&r};
        char *s = render_rules(scan_write_rules_markdown, list, 1);

        cr_assert_not_null(strstr(s, "| calls `__import__` with a\\_b | `__import__('os')` |\n"),
                           "%s", s);
        free(s);
}

Test(scan_output, rules_markdown_empty)
{
        char *s = render_rules(scan_write_rules_markdown, fake_rules, 0);

        cr_assert_str_eq(s, "_No rules yet._\n");
        free(s);
}
