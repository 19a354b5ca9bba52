/* Allocates and touches N MiB, one MiB at a time: a memory bomb for the cgroup v2 VM tests. */
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
        long mib = argc > 1 ? atol(argv[1]) : 1024;

        for (long i = 0; i < mib; i++) {
                char *p = malloc(1 << 20);

                if (!p)
                        return 1;
                memset(p, 0x5a, 1 << 20);
        }
        return 0;
}
