#include "proctitle.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "basic/macros.h"

/* Fields 48 and 49 of /proc/self/stat: where the kernel reads cmdline from. */
static int read_arg_range(unsigned long *start, unsigned long *end)
{
        _cleanup_close_ int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
        char buf[2048], *p;
        ssize_t n;
        int field = 2;

        if (fd < 0)
                return -errno;
        n = read(fd, buf, sizeof(buf) - 1);
        if (n <= 0)
                return -EIO;
        buf[n] = '\0';
        p = strrchr(buf, ')'); /* the name may hold spaces and parentheses */
        if (!p)
                return -EIO;
        for (p++; *p && field < 48; p++)
                if (*p == ' ')
                        field++;
        if (sscanf(p, "%lu %lu", start, end) != 2 || *end <= *start)
                return -EIO;
        return 0;
}

void proctitle_hide(const char *name)
{
        unsigned long start, end;

        if (read_arg_range(&start, &end) >= 0)
                memset((void *)start, 0, end - start);
        (void)prctl(PR_SET_NAME, name);
}
