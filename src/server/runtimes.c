#include "runtimes.h"

#include <ctype.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "basic/macros.h"

#define ARGV(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Interpreters are found through the sandbox's PATH (/usr/bin first: Debian's python3, not a
 * shim). Compiled languages build in a sandbox of their own; only the binary crosses over. */
static const Runtime table[] = {
    {"python", "Python 3", "main.py", NULL, NULL, ARGV("python3", "main.py"),
     ARGV("/usr/bin/python3", "--version")},
    {"bash", "Bash", "main.sh", NULL, NULL, ARGV("bash", "main.sh"),
     ARGV("/bin/bash", "--version")},
    /* dash has no --version; its presence is the fact worth reporting. */
    {"sh", "POSIX sh (dash)", "main.sh", NULL, NULL, ARGV("sh", "main.sh"), ARGV("/bin/sh")},
    {"node", "Node.js", "main.js", NULL, NULL, ARGV("node", "main.js"),
     ARGV("/usr/bin/node", "--version")},
    {"c", "C (gcc, gnu17)", "main.c",
     ARGV("gcc", "-O2", "-std=gnu17", "-pipe", "-o", "main", "main.c", "-lm"), "main",
     ARGV("./main"), ARGV("/usr/bin/gcc", "-dumpfullversion")},
    {"cpp", "C++ (g++, gnu++17)", "main.cpp",
     ARGV("g++", "-O2", "-std=gnu++17", "-pipe", "-o", "main", "main.cpp"), "main", ARGV("./main"),
     ARGV("/usr/bin/g++", "-dumpfullversion")},
};

const Runtime *runtimes_table(size_t *ret_n)
{
        *ret_n = ELEMENTSOF(table);
        return table;
}

const Runtime *runtime_find(const char *id)
{
        for (size_t i = 0; id && i < ELEMENTSOF(table); i++)
                if (strcmp(table[i].id, id) == 0)
                        return &table[i];
        return NULL;
}

/* "Python 3.11.2", "GNU bash, version 5.2.15(1)-release", "v20.1.0", "12.2.0" -> the first run
 * of digits and dots. */
static void extract_version(const char *text, char *out, size_t size)
{
        const char *p = text;
        size_t n = 0;

        while (*p && *p != '\n' && !isdigit((unsigned char)*p))
                p++;
        while (n + 1 < size && (isdigit((unsigned char)p[n]) || p[n] == '.'))
                n++;
        memcpy(out, p, n);
        out[n] = '\0';
}

/* Runs argv on the host (trusted binaries, at start) and keeps the first 255 bytes it prints;
 * anything slower than two seconds counts as absent. */
static bool probe(const char *const *argv, char *out, size_t size)
{
        posix_spawn_file_actions_t fa;
        char buf[256];
        size_t got = 0;
        int pipefd[2], status;
        pid_t pid;
        bool ok = false, timed_out = false;

        if (access(argv[0], X_OK) < 0)
                return false;
        if (!argv[1]) {
                snprintf(out, size, "%s", "");
                return true;
        }
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return false;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
        posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
        posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        if (posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv,
                        (char *const[]){"PATH=/usr/bin:/bin", "LANG=C", NULL}) != 0)
                pid = -1;
        posix_spawn_file_actions_destroy(&fa);
        close(pipefd[1]);
        while (pid > 0) {
                struct pollfd p = {.fd = pipefd[0], .events = POLLIN};
                char sink[256];
                ssize_t n;

                if (poll(&p, 1, 2000) <= 0) {
                        timed_out = true;
                        break;
                }
                /* The first bytes are kept, the rest read to the end and dropped. */
                if (got + 1 < sizeof(buf))
                        n = read(pipefd[0], buf + got, sizeof(buf) - 1 - got);
                else
                        n = read(pipefd[0], sink, sizeof(sink));
                if (n <= 0)
                        break;
                if (got + 1 < sizeof(buf))
                        got += (size_t)n;
        }
        close(pipefd[0]);
        buf[got] = '\0';
        if (pid > 0) {
                if (timed_out)
                        (void)kill(pid, SIGKILL);
                ok = waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
                     WEXITSTATUS(status) == 0;
        }
        if (ok)
                extract_version(buf, out, size);
        return ok;
}

size_t runtimes_detect(RuntimeInfo *info, size_t n)
{
        size_t i;

        for (i = 0; i < n && i < ELEMENTSOF(table); i++) {
                info[i] = (RuntimeInfo){.runtime = &table[i]};
                info[i].available =
                    probe(table[i].version, info[i].version, sizeof(info[i].version));
        }
        return i;
}
