/* airlock check [--json]: what this host's kernel offers and whether airlock can run here as
 * this user. Exit 0 when it can, AIRLOCK_EXIT_SETUP with the reasons when it cannot. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "api/probe-json.h"
#include "commands.h"
#include "sandbox/probe.h"
#include "sandbox/result.h"

static void help(void)
{
        printf("usage: airlock check [--json]\n\n"
               "Shows what this host's kernel offers and whether airlock can run here as this\n"
               "user. Exits 0 when it can, %d (with the reasons) when it cannot.\n\n"
               "  --json     one JSON object instead of text\n"
               "  -h, --help show this help\n",
               AIRLOCK_EXIT_SETUP);
}

static const char *yes_no(bool b)
{
        return b ? "yes" : "no";
}

/* "feature:      yes (detail)", the values aligned; no parentheses for an empty detail. */
static void line(const char *feature, const char *value, const char *detail)
{
        printf("%-17s %s", feature, value);
        if (detail && detail[0])
                printf(" (%s)", detail);
        putchar('\n');
}

static void print_controllers(const char *label, unsigned mask)
{
        char buf[128] = "";
        size_t used = 0;

        for (unsigned i = 0; i < _PROBE_CG_COUNT; i++)
                if (mask & (1u << i)) {
                        int n = snprintf(buf + used, sizeof(buf) - used, "%s%s", used ? " " : "",
                                         probe_controller_to_string(1u << i));
                        if (n < 0 || (size_t)n >= sizeof(buf) - used)
                                break;
                        used += (size_t)n;
                }
        line(label, used ? buf : "none", NULL);
}

static void print_text(const HostFeatures *f)
{
        char buf[PROBE_DETAIL_MAX + 64];

        line("kernel:", f->kernel, NULL);
        snprintf(buf, sizeof(buf), "%u", (unsigned)f->euid);
        line("euid:", buf, f->rootless ? "rootless" : "root");
        line("user namespaces:", yes_no(f->userns), f->userns_detail);
        line("cgroup:", cgroup_version_to_string(f->cgroup_version), NULL);
        print_controllers("  v1 controllers:", f->cgroup_v1_controllers);
        print_controllers("  v2 controllers:", f->cgroup_v2_controllers);
        line("  usable:", yes_no(f->cgroup_usable), f->cgroup_detail);
        snprintf(buf, sizeof(buf), "%s, libseccomp %s", f->seccomp_detail,
                 f->libseccomp[0] ? f->libseccomp : "unknown");
        line("seccomp:", yes_no(f->seccomp), buf);
        line("landlock:", yes_no(f->landlock_abi > 0), f->landlock_detail);
        line("openat2:", yes_no(f->openat2), NULL);
        line("pidfd_open:", yes_no(f->pidfd), NULL);
        line("clone3:", yes_no(f->clone3), NULL);
        line("close_range:", yes_no(f->close_range), NULL);
        for (size_t i = 0; i < f->n_warnings; i++)
                printf("warning: %s\n", f->warnings[i]);

        if (f->can_run) {
                printf("airlock can run here: yes\n");
                return;
        }
        printf("airlock can run here: no: ");
        for (size_t i = 0; i < f->n_reasons; i++)
                printf("%s%s", i ? "; " : "", f->reasons[i]);
        putchar('\n');
}

int cmd_check(int argc, char **argv)
{
        HostFeatures f;
        bool json = false;
        int r;

        for (int i = 1; i < argc; i++) {
                if (strcmp(argv[i], "--json") == 0)
                        json = true;
                else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
                        help();
                        return 0;
                } else {
                        fprintf(stderr,
                                "airlock check: unknown %s '%s'\n"
                                "Try 'airlock check --help'.\n",
                                argv[i][0] == '-' ? "option" : "argument", argv[i]);
                        return AIRLOCK_EXIT_USAGE;
                }
        }

        r = probe_host(&f);
        if (r < 0) {
                fprintf(stderr, "airlock check: probing the host failed: %s\n", strerror(-r));
                return AIRLOCK_EXIT_INTERNAL;
        }
        if (json) {
                r = probe_write_json(&f, stdout);
                if (r < 0) {
                        fprintf(stderr, "airlock check: writing JSON failed: %s\n", strerror(-r));
                        return AIRLOCK_EXIT_INTERNAL;
                }
        } else
                print_text(&f);
        return f.can_run ? 0 : AIRLOCK_EXIT_SETUP;
}
