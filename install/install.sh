#!/bin/sh
# Installs louailink as a systemd service: the unit (from templates/louailink.service) and, when
# /etc/louailink holds no YAML yet, the bundled example config. Arguments go to `louailink --install`
# (for example `-c /srv/louailink`, `--prefix /tmp/root`, `--dry-run`). See install/README.md.
set -eu
HERE=$(cd "$(dirname "$0")/.." && pwd)
NODE="$HERE/node_modules/.bin/node"
[ -x "$NODE" ] || NODE=node
"$NODE" "$HERE/bin/louailink" --install "$@"
case " $* " in
  *" --prefix "*|*" --prefix="*|*" --dry-run "*) exit 0 ;;
esac
systemctl daemon-reload
systemctl enable --now louailink
systemctl --no-pager status louailink || true
