package gitstore

import (
	"bufio"
	"bytes"
	"compress/zlib"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// Delta is how the tree of a commit differs from a set of files, file by file.
type Delta struct {
	// Old holds the commit's content of every file whose content differs from the files' or that the files lack.
	Old map[string][]byte
	// Unchanged names the files the commit holds with the very same content.
	Unchanged map[string]bool
}

// Delta compares the tree of the commit that ref names (any ref Files takes) with files by blob hash, and reads
// only the blobs that differ: the cheap way to learn what changed in a snapshot that mostly did not.
func (s *Store) Delta(ctx context.Context, ref string, files map[string][]byte) (Delta, error) {
	if err := ctx.Err(); err != nil {
		return Delta{}, fmt.Errorf("comparing with %s: %w", ref, err)
	}
	done, err := s.exclusive(ctx)
	if err != nil {
		return Delta{}, fmt.Errorf("comparing with %s: %w", ref, err)
	}
	defer done()
	d, err := s.delta(ref, files)
	if err != nil {
		return Delta{}, fmt.Errorf("comparing with %s: %w", ref, err)
	}
	return d, nil
}

func (s *Store) delta(ref string, files map[string][]byte) (Delta, error) {
	commit, err := s.resolve(ref)
	if err != nil {
		return Delta{}, err
	}
	d := Delta{Old: map[string][]byte{}, Unchanged: map[string]bool{}}
	err = eachFile(commit, func(path string, hash plumbing.Hash) (err error) {
		if content, ok := files[path]; ok && s.blobs.of(content) == hash {
			d.Unchanged[path] = true
			return nil
		}
		d.Old[path], err = s.readBlob(hash)
		return err
	})
	if err != nil {
		return Delta{}, err
	}
	return d, nil
}

// readBlob returns a blob's content. A loose blob is read from its file (readLooseBlob); a packed one through go-git.
func (s *Store) readBlob(hash plumbing.Hash) ([]byte, error) {
	if content, ok, err := s.readLooseBlob(hash); ok || err != nil {
		return content, err
	}
	return s.readPackedBlob(hash)
}

// readPackedBlob reads a blob through go-git, which finds it in a pack (or loose, for a caller that did not look).
func (s *Store) readPackedBlob(hash plumbing.Hash) ([]byte, error) {
	blob, err := object.GetBlob(s.repo.Storer, hash)
	if err != nil {
		return nil, err
	}
	r, err := blob.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	buf := bytes.NewBuffer(make([]byte, 0, blob.Size+bytes.MinRead))
	if _, err := buf.ReadFrom(r); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// readLooseBlob reads a loose blob's file, zlib("blob <size>\x00<content>"), straight into a buffer of its size;
// ok is false when the blob is not loose. go-git would copy a loose object through a growing buffer, hash it twice
// and keep it in its cache: for a snapshot file of hundreds of megabytes, most of a changed backup's reading.
func (s *Store) readLooseBlob(hash plumbing.Hash) (content []byte, ok bool, err error) {
	fs, isFS := s.repo.Storer.(*filesystem.Storage)
	if !isFS {
		return nil, false, nil
	}
	name := hash.String()
	f, err := fs.Filesystem().Open(path.Join("objects", name[:2], name[2:]))
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	defer f.Close()
	z, err := zlib.NewReader(bufio.NewReader(f))
	if err != nil {
		return nil, false, fmt.Errorf("loose object %s: %w", name, err)
	}
	defer z.Close()
	r := bufio.NewReader(z)
	header, err := r.ReadString(0)
	if err != nil {
		return nil, false, fmt.Errorf("loose object %s: %w", name, err)
	}
	size, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSuffix(header, "\x00"), "blob "), 10, 64)
	if err != nil || !strings.HasPrefix(header, "blob ") || size < 0 {
		return nil, false, fmt.Errorf("loose object %s: header %q is not a blob's", name, header)
	}
	content = make([]byte, size)
	if _, err := io.ReadFull(r, content); err != nil {
		return nil, false, fmt.Errorf("loose object %s: %w", name, err)
	}
	return content, true, nil
}
