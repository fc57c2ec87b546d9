# Sourced by the scripts/check-*.sh that try the published artifact: an empty npm project with the
# packed package installed. Expects `repo` (the repository's root) to be set.

# packed_project <dir> <module|commonjs> [package ...]: packs the repository into <dir>, makes
# <dir> an npm project of that module type, and installs the tarball and the packages given.
packed_project() {
  local dir="$1" type="$2"
  shift 2
  (cd "$repo" && npm pack --silent --pack-destination "$dir" >/dev/null)
  (
    cd "$dir"
    npm init -y >/dev/null
    npm pkg set type="$type" >/dev/null
    npm install --no-audit --no-fund --loglevel=error ./stepmark-otel-*.tgz "$@" >/dev/null
  )
}

# dev_versions <package ...>: each package as `name@version`, at the version of the repository's
# devDependencies (the one its tests use).
dev_versions() {
  (cd "$repo" && node -e '
    const d = require("./package.json").devDependencies;
    console.log(process.argv.slice(1).map((n) => `${n}@${d[n]}`).join(" "));' "$@")
}
