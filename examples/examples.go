// Package examples holds the starter configuration and workflows that `kongsnap init` writes into a repository,
// embedded so that the binary carries them.
package examples

import "embed"

// Files are kongsnap.yaml and workflows/*.yml.
//
//go:embed kongsnap.yaml workflows/*.yml
var Files embed.FS
