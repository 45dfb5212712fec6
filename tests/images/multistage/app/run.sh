#!/bin/sh
# The multi-stage test app: prints a greeting.
echo "hello from the multistage test image"
