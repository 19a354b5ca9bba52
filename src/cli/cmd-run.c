/* placeholder: being written */
#include "commands.h"

int cmd_run(int argc, char **argv)
{
        return 1;
}
