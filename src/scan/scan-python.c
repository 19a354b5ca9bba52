/* placeholder: being written */
#include "scan.h"

const ScanRule scan_python_rules[] = {{0}};
const size_t scan_python_rules_count = 0;

int scan_python(const char *data, size_t len, ScanReport *r)
{
        return 0;
}
