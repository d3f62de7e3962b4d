#!/usr/bin/env bash
# Fonts for official documents beyond the Debian font packages (docs/GBT9704.md).
# Filled in by the documents work; a no-op until then.
exit 0
