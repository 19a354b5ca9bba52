/* placeholder: being written */
#include "commands.h"

int cmd_delegate(int argc, char **argv)
{
        return 1;
}
