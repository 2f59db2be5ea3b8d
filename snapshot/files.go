package snapshot

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// ReadDir loads every regular file below dir (a snapshot directory, or a directory of decK files) into Files,
// keyed by slash-separated paths relative to dir. Version control folders (.git) are skipped.
func ReadDir(dir string) (Files, error) {
	files := Files{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if d.Name() == ".git" {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		files[filepath.ToSlash(rel)] = data
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading snapshot directory %s: %w", dir, err)
	}
	return files, nil
}

// ReadFile loads one file (a decK dump, say) into Files, keyed by its base name.
func ReadFile(path string) (Files, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading snapshot file: %w", err)
	}
	return Files{filepath.Base(path): data}, nil
}
