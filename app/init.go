package app

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/kongsnap/kongsnap/config"
	"github.com/kongsnap/kongsnap/examples"
)

// Init writes a starter kongsnap.yaml and the example workflows into dir. It never overwrites a file unless force
// is set, and lists what it wrote.
func Init(dir string, force bool, out io.Writer) error {
	files := map[string]string{"kongsnap.yaml": config.DefaultFile}
	entries, err := fs.ReadDir(examples.Files, "workflows")
	if err != nil {
		return err
	}
	for _, e := range entries {
		files["workflows/"+e.Name()] = filepath.Join(".github", "workflows", e.Name())
	}
	for _, src := range slices.Sorted(maps.Keys(files)) {
		dst := filepath.Join(dir, files[src])
		if _, err := os.Stat(dst); err == nil && !force {
			return fmt.Errorf("%s exists; use --force to overwrite it", dst)
		} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	for _, src := range slices.Sorted(maps.Keys(files)) {
		data, err := examples.Files.ReadFile(src)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, files[src])
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			return err
		}
		fmt.Fprintf(out, "wrote %s\n", dst)
	}
	fmt.Fprintln(out, "next: edit kongsnap.yaml, add the secrets it names (KONGSNAP_KEY, Admin API tokens) to the repository, and commit.")
	return nil
}
