#include "janitor.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "basic/macros.h"

static _Noreturn void janitor_main(Cgroup *cg, int fd)
{
        char c = 0;
        ssize_t n;
        int devnull;

        /* Its own process group: a terminal's Ctrl-C or a kill of airlock's group must not take
         * the janitor along before it has done its one job. */
        (void)setpgid(0, 0);
        (void)signal(SIGINT, SIG_IGN);
        (void)signal(SIGHUP, SIG_IGN);
        (void)signal(SIGTERM, SIG_IGN);
        /* Holding airlock's stdout would make whoever reads it wait for us. */
        devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (devnull >= 0) {
                dup2(devnull, 0);
                dup2(devnull, 1);
                dup2(devnull, 2);
        }
        do
                n = read(fd, &c, 1);
        while (n < 0 && errno == EINTR);
        if (n == 1 && c == 'd')
                _exit(0);
        (void)cgroup_destroy(cg);
        _exit(0);
}

int janitor_start(Cgroup *cg, int *ret_fd, pid_t *ret_pid)
{
        int fds[2];
        pid_t pid;

        if (pipe2(fds, O_CLOEXEC) < 0)
                return negative_errno();
        pid = fork();
        if (pid < 0) {
                int r = negative_errno();

                close(fds[0]);
                close(fds[1]);
                return r;
        }
        if (pid == 0) {
                close(fds[1]);
                janitor_main(cg, fds[0]);
        }
        close(fds[0]);
        *ret_fd = fds[1];
        *ret_pid = pid;
        return 0;
}

void janitor_release(int fd, pid_t pid)
{
        if (fd < 0)
                return;
        (void)!write(fd, "d", 1);
        close(fd);
        /* It exits as soon as it reads that; not waiting for it keeps its scheduling off the
         * caller's path. A caller that lives on (a server) reaps it with its other children; the
         * CLI exits and init reaps it. */
        if (pid > 0)
                (void)waitpid(pid, NULL, WNOHANG);
}
