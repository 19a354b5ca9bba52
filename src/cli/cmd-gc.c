/* placeholder: being written */
#include "commands.h"

int cmd_gc(int argc, char **argv)
{
        return 1;
}
