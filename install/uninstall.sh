#!/bin/sh
# Stops and removes the louailink systemd service. The config directory (/etc/louailink) and the logs
# (/var/log/louailink) are kept; remove them by hand if you want them gone. See install/README.md.
set -eu
UNIT=/etc/systemd/system/louailink.service
if systemctl is-enabled --quiet louailink 2>/dev/null || systemctl is-active --quiet louailink 2>/dev/null; then
  systemctl disable --now louailink
fi
rm -f "$UNIT"
systemctl daemon-reload
echo "removed $UNIT; kept /etc/louailink and /var/log/louailink"
