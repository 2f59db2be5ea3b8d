package gitstore

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

// Published is what a Push put on the remotes.
type Published struct {
	// Commit is the branch head as pushed: the last local commit, or its recommit on top of a remote branch that
	// moved (or, when that remote head already had the same tree, the remote head itself).
	Commit Commit
	// Snapshots counts the commits the push gave the remote that lacked the most: 1 for a fresh snapshot, more when
	// earlier ones were still pending (committed while a remote was unreachable), 0 when every remote had the head.
	Snapshots int
	// Tags names the tags pushed: the ones asked for and those of pending commits, sorted.
	Tags []string
}

// Push publishes branch and the given tags to every remote, without ever forcing the branch or a tag.
//
// Whatever the local branch has that a remote lacks is pushed, not only the newest commit: a snapshot committed
// while the remote was unreachable goes out with the next Push, with its tags. A remote whose branch and tags are
// as the local ones (as of the last fetch or push) is not contacted.
//
// When a remote's branch moved since this store last saw it (another run pushed first), the local commits it lacks
// are recommitted on top of it with the same trees, messages and authors, their tags are moved to the new commits
// (unless a remote already has the tag: a published tag never moves), and the push is retried, up to PushRetries
// times. A local commit whose tree equals the remote head's is dropped, its tags moving to the remote head. A tag
// that a remote already has at another commit is never overwritten: the push of that remote fails, naming it.
// Every remote is tried; the error names each one that failed, and the commits stay local. Push returns what it
// published, so a caller never reads the branch again to learn it.
func (s *Store) Push(ctx context.Context, branch string, tags ...string) (Published, error) {
	done, err := s.exclusive(ctx)
	if err != nil {
		return Published{}, s.secrets.errorf("pushing %s: %w", branch, err)
	}
	defer done()
	name, err := branchRef(branch)
	if err != nil {
		return Published{}, fmt.Errorf("pushing: %w", err)
	}
	if _, err := s.repo.Storer.Reference(name); err != nil {
		return Published{}, fmt.Errorf("pushing %s: local branch: %w", branch, unknownIfNotFound(err, branch))
	}
	tagNames := make([]plumbing.ReferenceName, len(tags))
	for i, tag := range tags {
		if tagNames[i], err = tagRef(tag); err != nil {
			return Published{}, fmt.Errorf("pushing %s: %w", branch, err)
		}
		if _, err := s.repo.Storer.Reference(tagNames[i]); err != nil {
			return Published{}, fmt.Errorf("pushing %s: tag: %w", branch, unknownIfNotFound(err, tag))
		}
	}
	var (
		errs   []error
		pub    Published
		pushed = map[string]bool{}
	)
	for _, r := range s.remotes {
		n, sent, err := s.pushTo(ctx, r, name, tagNames, s.rebase)
		if err != nil {
			errs = append(errs, fmt.Errorf("pushing %s to %s: %w", branch, r.display, err))
			continue
		}
		pub.Snapshots = max(pub.Snapshots, n)
		for _, t := range sent {
			pushed[t.Short()] = true
		}
	}
	pub.Tags = slices.Sorted(maps.Keys(pushed))
	if pub.Commit, err = s.head(branch); err != nil {
		errs = append(errs, fmt.Errorf("pushing %s: %w", branch, err))
	}
	return pub, s.secrets.error(errors.Join(errs...))
}

func unknownIfNotFound(err error, ref string) error {
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return fmt.Errorf("%w %q", ErrUnknownRef, ref)
	}
	return err
}

// pushTo pushes to one remote: fetch its branch, put the local commits on top of it with onto when it moved, push
// them with the asked-for tags and theirs; repeat while a failed push turns out to be caused by the branch moving
// again. It returns how many commits and which tags it sent.
func (s *Store) pushTo(ctx context.Context, r *remote, branch plumbing.ReferenceName, tags []plumbing.ReferenceName,
	onto func(branch plumbing.ReferenceName, remoteHead plumbing.Hash, r *remote) error) (int, []plumbing.ReferenceName, error) {
	if s.upToDate(r, branch, tags) {
		return 0, nil, nil
	}
	var (
		pushErr error
		basedOn plumbing.Hash
	)
	for attempt := 0; attempt <= s.retries; attempt++ {
		remoteHead, err := s.fetchBranch(ctx, r, branch)
		if err != nil {
			if pushErr != nil {
				return 0, nil, fmt.Errorf("%w (fetching after the failed push: %v)", pushErr, err)
			}
			return 0, nil, fmt.Errorf("fetching: %w", err)
		}
		if pushErr != nil && remoteHead == basedOn {
			return 0, nil, pushErr // the branch did not move, so retrying cannot help
		}
		pendingTags, err := s.pendingTags(branch, remoteHead)
		if err != nil {
			return 0, nil, err
		}
		if err := onto(branch, remoteHead, r); err != nil {
			return 0, nil, err
		}
		basedOn = remoteHead
		pending, err := s.localOnly(branch, remoteHead)
		if err != nil {
			return 0, nil, err
		}
		var sent []plumbing.ReferenceName
		sent, pushErr = s.push(ctx, r, branch, unionRefs(tags, pendingTags))
		if pushErr == nil {
			return len(pending), sent, nil
		}
		if ctx.Err() != nil {
			return 0, nil, pushErr
		}
	}
	return 0, nil, fmt.Errorf("branch kept moving, gave up after %d attempts: %w", s.retries+1, pushErr)
}

// upToDate reports whether, as of the last fetch or push, r has branch at the local head and every tag at the
// local tag's commit: then there is nothing to push.
func (s *Store) upToDate(r *remote, branch plumbing.ReferenceName, tags []plumbing.ReferenceName) bool {
	same := func(local, remote plumbing.ReferenceName) bool {
		l, err := s.repo.Storer.Reference(local)
		if err != nil {
			return false
		}
		rr, err := s.repo.Storer.Reference(remote)
		return err == nil && rr.Hash() == l.Hash()
	}
	if !same(branch, trackingRef(r.Name, branch)) {
		return false
	}
	for _, tag := range tags {
		if !same(tag, remoteTagRef(r.Name, tag)) {
			return false
		}
	}
	return true
}

func remoteTagRef(remoteName string, tag plumbing.ReferenceName) plumbing.ReferenceName {
	return plumbing.ReferenceName(remoteTagsPrefix(remoteName) + tag.Short())
}

func unionRefs(a, b []plumbing.ReferenceName) []plumbing.ReferenceName {
	out := slices.Clone(a)
	for _, r := range b {
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out
}

// localOnly lists, newest first, the first-parent commits of the local branch that onto (a remote head, zero when
// the remote has no such branch) lacks.
func (s *Store) localOnly(branch plumbing.ReferenceName, onto plumbing.Hash) ([]*object.Commit, error) {
	head, err := s.repo.Storer.Reference(branch)
	if err != nil {
		return nil, fmt.Errorf("reading local branch: %w", err)
	}
	if head.Hash() == onto {
		return nil, nil
	}
	local, err := object.GetCommit(s.repo.Storer, head.Hash())
	if err != nil {
		return nil, fmt.Errorf("reading local head: %w", err)
	}
	isBase := map[plumbing.Hash]bool{}
	if !onto.IsZero() {
		target, err := object.GetCommit(s.repo.Storer, onto)
		if err != nil {
			return nil, fmt.Errorf("reading remote head: %w", err)
		}
		bases, err := local.MergeBase(target)
		if err != nil {
			return nil, fmt.Errorf("finding merge base with %s: %w", onto, err)
		}
		for _, b := range bases {
			isBase[b.Hash] = true
		}
	}
	var pending []*object.Commit
	for c := local; !isBase[c.Hash]; {
		pending = append(pending, c)
		if c.NumParents() == 0 {
			break
		}
		if c, err = c.Parent(0); err != nil {
			return nil, fmt.Errorf("reading history: %w", err)
		}
	}
	return pending, nil
}

// pendingTags lists the lightweight tags on the local commits that onto lacks: snapshots committed while a remote
// was unreachable keep their tags and publish them with the commits. Tags on commits a remote already has are
// left alone, so a tag pruned on the remote is not pushed back.
func (s *Store) pendingTags(branch plumbing.ReferenceName, onto plumbing.Hash) ([]plumbing.ReferenceName, error) {
	pending, err := s.localOnly(branch, onto)
	if err != nil || len(pending) == 0 {
		return nil, err
	}
	tagsAt, err := s.lightweightTags()
	if err != nil {
		return nil, err
	}
	var tags []plumbing.ReferenceName
	for _, c := range pending {
		tags = append(tags, tagsAt[c.Hash]...)
	}
	return tags, nil
}

// fetchBranch updates the remote-tracking ref of branch and returns the remote's head, zero when the remote has no
// such branch.
func (s *Store) fetchBranch(ctx context.Context, r *remote, branch plumbing.ReferenceName) (plumbing.Hash, error) {
	tracking := trackingRef(r.Name, branch)
	spec := config.RefSpec("+" + branch.String() + ":" + tracking.String())
	err := r.git.FetchContext(ctx, &git.FetchOptions{
		RemoteName: r.Name, RefSpecs: []config.RefSpec{spec}, Auth: r.Auth, Tags: git.NoTags,
	})
	switch {
	case errors.Is(err, git.NoMatchingRefSpecError{}) || errors.Is(err, transport.ErrEmptyRemoteRepository):
		if err := s.repo.Storer.RemoveReference(tracking); err != nil {
			return plumbing.ZeroHash, fmt.Errorf("removing stale %s: %w", tracking, err)
		}
		return plumbing.ZeroHash, nil
	case err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate):
		return plumbing.ZeroHash, err
	}
	ref, err := s.repo.Storer.Reference(tracking)
	if err != nil {
		return plumbing.ZeroHash, fmt.Errorf("reading %s: %w", tracking, err)
	}
	return ref.Hash(), nil
}

func trackingRef(remoteName string, branch plumbing.ReferenceName) plumbing.ReferenceName {
	return plumbing.ReferenceName("refs/remotes/" + remoteName + "/" + branch.Short())
}

// diverged compares the local head of branch with onto (a remote head) and settles the cases that need no new
// commit: the remote has no such branch, is the local head or behind it (a plain fast-forward push), or is ahead of
// it, in which case the local branch follows onto. Otherwise the two have diverged and it returns the local head's
// reference and both commits; local is nil when nothing is left to do.
func (s *Store) diverged(branch plumbing.ReferenceName, onto plumbing.Hash) (head *plumbing.Reference, local, target *object.Commit, err error) {
	head, err = s.repo.Storer.Reference(branch)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("reading local branch: %w", err)
	}
	if onto.IsZero() || head.Hash() == onto {
		return nil, nil, nil, nil
	}
	if local, err = object.GetCommit(s.repo.Storer, head.Hash()); err != nil {
		return nil, nil, nil, fmt.Errorf("reading local head: %w", err)
	}
	if target, err = object.GetCommit(s.repo.Storer, onto); err != nil {
		return nil, nil, nil, fmt.Errorf("reading remote head: %w", err)
	}
	if ok, err := target.IsAncestor(local); err != nil || ok {
		return nil, nil, nil, err // the remote is behind: a plain fast-forward push
	}
	if ok, err := local.IsAncestor(target); err != nil {
		return nil, nil, nil, err
	} else if ok {
		// Everything local is already on the remote, which went further: follow it.
		return nil, nil, nil, s.repo.Storer.CheckAndSetReference(plumbing.NewHashReference(branch, onto), head)
	}
	return head, local, target, nil
}

// rebase makes the local branch a descendant of onto (a remote head) by recommitting, in order, the first-parent
// commits onto lacks. Snapshots are whole trees, so a recommit is the same tree with a new parent; it never
// conflicts. Lightweight tags on recommitted commits follow them, unless a remote already has the tag.
func (s *Store) rebase(branch plumbing.ReferenceName, onto plumbing.Hash, r *remote) error {
	head, local, target, err := s.diverged(branch, onto)
	if err != nil || local == nil {
		return err
	}
	pending, err := s.localOnly(branch, onto)
	if err != nil {
		return err
	}
	tagsAt, err := s.lightweightTags()
	if err != nil {
		return err
	}

	parent := target
	committer := object.Signature{Name: s.author.Name, Email: s.author.Email, When: s.clock()}
	for i := len(pending) - 1; i >= 0; i-- {
		old := pending[i]
		if old.TreeHash != parent.TreeHash {
			hash, err := s.writeCommit(&object.Commit{
				Author: old.Author, Committer: committer, Message: old.Message,
				TreeHash: old.TreeHash, ParentHashes: []plumbing.Hash{parent.Hash},
			})
			if err != nil {
				return err
			}
			if parent, err = object.GetCommit(s.repo.Storer, hash); err != nil {
				return fmt.Errorf("reading recommitted %s: %w", hash, err)
			}
		}
		for _, tag := range tagsAt[old.Hash] {
			if s.published(tag) {
				continue // a tag a remote has never moves
			}
			ref := plumbing.NewHashReference(tag, parent.Hash)
			if err := s.repo.Storer.CheckAndSetReference(ref, plumbing.NewHashReference(tag, old.Hash)); err != nil {
				return fmt.Errorf("moving tag %s to %s: %w", tag.Short(), parent.Hash, err)
			}
		}
	}
	if err := s.repo.Storer.CheckAndSetReference(plumbing.NewHashReference(branch, parent.Hash), head); err != nil {
		return fmt.Errorf("moving local branch to %s: %w", parent.Hash, err)
	}
	s.log.Info("recommitted local snapshots on the remote head", "branch", branch.Short(), "remote", r.display,
		"commits", len(pending), "head", parent.Hash.String())
	return nil
}

// lightweightTags maps commit hashes to the tags that point straight at them.
func (s *Store) lightweightTags() (map[plumbing.Hash][]plumbing.ReferenceName, error) {
	refs, err := s.repo.Storer.IterReferences()
	if err != nil {
		return nil, fmt.Errorf("listing references: %w", err)
	}
	tags := map[plumbing.Hash][]plumbing.ReferenceName{}
	err = refs.ForEach(func(ref *plumbing.Reference) error {
		if ref.Name().IsTag() && ref.Type() == plumbing.HashReference {
			tags[ref.Hash()] = append(tags[ref.Hash()], ref.Name())
		}
		return nil
	})
	return tags, err
}

// published reports whether any remote is known to have tag.
func (s *Store) published(tag plumbing.ReferenceName) bool {
	for _, r := range s.remotes {
		if _, err := s.repo.Storer.Reference(remoteTagRef(r.Name, tag)); err == nil {
			return true
		}
	}
	return false
}

// push sends branch and the tags r does not have yet in one atomic update, never forced, and returns the tags
// sent. A tag r has at another commit fails the push: a published tag is never moved (git's client refuses that
// too; go-git would move a tag forward like a branch).
func (s *Store) push(ctx context.Context, r *remote, branch plumbing.ReferenceName,
	tags []plumbing.ReferenceName) ([]plumbing.ReferenceName, error) {
	var (
		specs = []config.RefSpec{config.RefSpec(branch + ":" + branch)}
		sent  []plumbing.ReferenceName
	)
	if len(tags) > 0 {
		advertised, err := r.git.ListContext(ctx, &git.ListOptions{Auth: r.Auth})
		if err != nil && !errors.Is(err, transport.ErrEmptyRemoteRepository) {
			return nil, fmt.Errorf("listing remote refs: %w", err)
		}
		onRemote := map[plumbing.ReferenceName]plumbing.Hash{}
		for _, ref := range advertised {
			onRemote[ref.Name()] = ref.Hash()
		}
		for _, tag := range tags {
			local, err := s.repo.Storer.Reference(tag)
			if err != nil {
				return nil, fmt.Errorf("reading tag %s: %w", tag.Short(), err)
			}
			switch have, ok := onRemote[tag]; {
			case !ok:
				specs = append(specs, config.RefSpec(tag+":"+tag))
				sent = append(sent, tag)
			case have != local.Hash():
				return nil, fmt.Errorf("tag %s already exists on the remote at %s (here it is %s): a published "+
					"tag is never moved", tag.Short(), have, local.Hash())
			}
		}
	}
	err := r.git.PushContext(ctx, &git.PushOptions{RemoteName: r.Name, RefSpecs: specs, Auth: r.Auth, Atomic: true})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return nil, err
	}
	head, err := s.repo.Storer.Reference(branch)
	if err != nil {
		return nil, fmt.Errorf("reading local branch: %w", err)
	}
	if err := s.repo.Storer.SetReference(plumbing.NewHashReference(trackingRef(r.Name, branch), head.Hash())); err != nil {
		return nil, fmt.Errorf("recording what %s has: %w", r.display, err)
	}
	for _, tag := range tags {
		local, err := s.repo.Storer.Reference(tag)
		if err == nil {
			err = s.repo.Storer.SetReference(plumbing.NewHashReference(remoteTagRef(r.Name, tag), local.Hash()))
		}
		if err != nil {
			return nil, fmt.Errorf("recording what %s has: %w", r.display, err)
		}
	}
	s.log.Debug("pushed", "branch", branch.Short(), "remote", r.display, "tags", len(sent))
	return sent, nil
}

// Fetch brings every remote's branches into remote-tracking refs (refs/remotes/<remote>/...), pruning those the
// remote deleted, and its tags into refs/remote-tags/<remote>/.... Local branches that are missing or behind are
// then fast-forwarded, and missing local tags created, so a run starts from what the remotes hold. Local commits
// and tags are never overwritten, and the branch checked out in a working tree is left alone. Every remote is
// tried; the error names each one that failed.
func (s *Store) Fetch(ctx context.Context) error {
	done, err := s.exclusive(ctx)
	if err != nil {
		return s.secrets.errorf("fetching: %w", err)
	}
	defer done()
	var errs []error
	for _, r := range s.remotes {
		if err := s.fetchRemote(ctx, r); err != nil {
			errs = append(errs, fmt.Errorf("fetching from %s: %w", r.display, err))
		}
	}
	return s.secrets.error(errors.Join(errs...))
}

func remoteTagsPrefix(remoteName string) string {
	return "refs/remote-tags/" + remoteName + "/"
}

func (s *Store) fetchRemote(ctx context.Context, r *remote) error {
	specs := []config.RefSpec{
		trackingSpec(r.Name),
		config.RefSpec("+refs/tags/*:" + remoteTagsPrefix(r.Name) + "*"),
	}
	err := r.git.FetchContext(ctx, &git.FetchOptions{
		RemoteName: r.Name, RefSpecs: specs, Auth: r.Auth, Tags: git.NoTags, Prune: true,
	})
	switch {
	case errors.Is(err, transport.ErrEmptyRemoteRepository):
		return nil
	case err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate):
		return err
	}

	checkedOut := s.checkedOutBranch()
	refs, err := s.repo.Storer.IterReferences()
	if err != nil {
		return fmt.Errorf("listing references: %w", err)
	}
	var remoteRefs []*plumbing.Reference
	err = refs.ForEach(func(ref *plumbing.Reference) error {
		if ref.Type() == plumbing.HashReference {
			remoteRefs = append(remoteRefs, ref)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("listing references: %w", err)
	}
	trackingPrefix := "refs/remotes/" + r.Name + "/"
	for _, ref := range remoteRefs {
		name := ref.Name().String()
		if short, ok := strings.CutPrefix(name, trackingPrefix); ok {
			local := plumbing.NewBranchReferenceName(short)
			if local == checkedOut {
				continue
			}
			if err := s.fastForward(local, ref.Hash()); err != nil {
				return fmt.Errorf("updating local branch %s: %w", short, err)
			}
		} else if short, ok := strings.CutPrefix(name, remoteTagsPrefix(r.Name)); ok {
			if err := s.createIfMissing(plumbing.NewTagReferenceName(short), ref.Hash()); err != nil {
				return fmt.Errorf("creating local tag %s: %w", short, err)
			}
		}
	}
	return nil
}

// fastForward moves local to hash when local is missing or an ancestor of hash, and leaves it otherwise.
func (s *Store) fastForward(local plumbing.ReferenceName, hash plumbing.Hash) error {
	old, err := s.repo.Storer.Reference(local)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return s.repo.Storer.SetReference(plumbing.NewHashReference(local, hash))
	}
	if err != nil || old.Hash() == hash {
		return err
	}
	oldCommit, err := object.GetCommit(s.repo.Storer, old.Hash())
	if err != nil {
		return err
	}
	newCommit, err := object.GetCommit(s.repo.Storer, hash)
	if err != nil {
		return err
	}
	behind, err := oldCommit.IsAncestor(newCommit)
	if err != nil || !behind {
		if err == nil {
			s.log.Debug("local branch has commits the remote lacks; left as is", "branch", local.Short())
		}
		return err
	}
	return s.repo.Storer.CheckAndSetReference(plumbing.NewHashReference(local, hash), old)
}

func (s *Store) createIfMissing(name plumbing.ReferenceName, hash plumbing.Hash) error {
	_, err := s.repo.Storer.Reference(name)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return s.repo.Storer.SetReference(plumbing.NewHashReference(name, hash))
	}
	return err
}

// checkedOutBranch returns the branch HEAD names when the repository has a working tree, or "" when it is bare.
func (s *Store) checkedOutBranch() plumbing.ReferenceName {
	if _, err := s.repo.Worktree(); err != nil {
		return ""
	}
	head, err := s.repo.Storer.Reference(plumbing.HEAD)
	if err != nil || head.Type() != plumbing.SymbolicReference {
		return ""
	}
	return head.Target()
}

// DeleteTags deletes the named tags locally and on every remote. Tags already absent are not an error, so a
// partly failed prune can simply be run again. The error names each remote that failed.
func (s *Store) DeleteTags(ctx context.Context, names []string) error {
	done, err := s.exclusive(ctx)
	if err != nil {
		return s.secrets.errorf("deleting tags: %w", err)
	}
	defer done()
	refs := make([]plumbing.ReferenceName, len(names))
	for i, name := range names {
		var err error
		if refs[i], err = tagRef(name); err != nil {
			return fmt.Errorf("deleting tags: %w", err)
		}
	}
	if len(refs) == 0 {
		return nil
	}
	for _, ref := range refs {
		if err := s.repo.Storer.RemoveReference(ref); err != nil {
			return fmt.Errorf("deleting local tag %s: %w", ref.Short(), err)
		}
	}
	var errs []error
	for _, r := range s.remotes {
		if err := s.deleteRemote(ctx, r, refs, func(tag plumbing.ReferenceName) plumbing.ReferenceName {
			return plumbing.ReferenceName(remoteTagsPrefix(r.Name) + tag.Short())
		}); err != nil {
			errs = append(errs, fmt.Errorf("deleting %d tags on %s: %w", len(refs), r.display, err))
		}
	}
	return s.secrets.error(errors.Join(errs...))
}

// DeleteBranch deletes branch locally and on every remote; a branch already absent is not an error. It refuses the
// branch checked out in a working tree. The error names each remote that failed.
func (s *Store) DeleteBranch(ctx context.Context, branch string) error {
	done, err := s.exclusive(ctx)
	if err != nil {
		return s.secrets.errorf("deleting branch %s: %w", branch, err)
	}
	defer done()
	ref, err := branchRef(branch)
	if err != nil {
		return fmt.Errorf("deleting branch: %w", err)
	}
	if ref == s.checkedOutBranch() {
		return fmt.Errorf("deleting branch %s: it is checked out in the working tree", branch)
	}
	if err := s.repo.Storer.RemoveReference(ref); err != nil {
		return fmt.Errorf("deleting local branch %s: %w", branch, err)
	}
	var errs []error
	for _, r := range s.remotes {
		if err := s.deleteRemote(ctx, r, []plumbing.ReferenceName{ref}, func(b plumbing.ReferenceName) plumbing.ReferenceName {
			return trackingRef(r.Name, b)
		}); err != nil {
			errs = append(errs, fmt.Errorf("deleting branch %s on %s: %w", branch, r.display, err))
		}
	}
	return s.secrets.error(errors.Join(errs...))
}

// deleteRemote deletes refs on r, then the local refs (named by tracking) that record r's copy of them.
func (s *Store) deleteRemote(ctx context.Context, r *remote, refs []plumbing.ReferenceName,
	tracking func(plumbing.ReferenceName) plumbing.ReferenceName) error {
	specs := make([]config.RefSpec, len(refs))
	for i, ref := range refs {
		specs[i] = config.RefSpec(":" + ref)
	}
	err := r.git.PushContext(ctx, &git.PushOptions{RemoteName: r.Name, RefSpecs: specs, Auth: r.Auth})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return err
	}
	for _, ref := range refs {
		if err := s.repo.Storer.RemoveReference(tracking(ref)); err != nil {
			return fmt.Errorf("removing %s: %w", tracking(ref), err)
		}
	}
	return nil
}
