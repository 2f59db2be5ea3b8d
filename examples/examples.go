// Package examples holds the starter configuration and workflows that `kongsnap init` writes into a repository,
// embedded so that the binary carries them.
package examples

import "embed"

// Files are kongsnap.yaml (for GitHub), kongsnap-local.yaml (no GitHub, no remotes) and workflows/*.yml.
//
//go:embed kongsnap.yaml kongsnap-local.yaml workflows/*.yml
var Files embed.FS
