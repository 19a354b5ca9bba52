/* placeholder: being written */
#include "commands.h"

int cmd_check(int argc, char **argv)
{
        return 1;
}
