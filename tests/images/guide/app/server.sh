#!/bin/sh
# A tiny stand-in for the guide's blog app: prints its version and exits.
echo "alpha-blog $(cat /app/VERSION)"
