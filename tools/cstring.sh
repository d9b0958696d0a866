#!/bin/sh
# stdin as a C string constant named $1: const char NAME[] = "line\n" ... ;
echo "const char $1[] ="
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/    "/' -e 's/$/\\n"/'
echo "    ;"
