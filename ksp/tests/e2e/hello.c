/* The small Windows executable that the end-to-end test signs with osslsigncode. */
#include <stdio.h>

int main(void)
{
    puts("Hello from a binary signed through Sigil.");
    return 0;
}
