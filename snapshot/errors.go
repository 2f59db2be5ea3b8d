package snapshot

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Errors of reading files, checked with errors.Is on what Read returns.
var (
	// ErrSyntax means a file is not well-formed YAML or JSON.
	ErrSyntax = errors.New("malformed file")
	// ErrFormatVersion means a file's _format_version is missing or is not one decK defines.
	ErrFormatVersion = errors.New("unknown _format_version")
	// ErrDuplicateKey means a mapping holds the same key twice.
	ErrDuplicateKey = errors.New("duplicate key")
	// ErrUnknownField means a field that the entity kind does not have.
	ErrUnknownField = errors.New("unknown field")
	// ErrInvalidValue means a field whose value has the wrong type or shape.
	ErrInvalidValue = errors.New("invalid value")
	// ErrDanglingReference means a reference to an entity that no file defines.
	ErrDanglingReference = errors.New("dangling reference")
	// ErrDuplicateEntity means two entities with the same id, or the same unique name.
	ErrDuplicateEntity = errors.New("duplicate entity")
)

// Error locates a problem in a file: which file and line, which entity (its path in the file and its name), which
// field.
type Error struct {
	File   string
	Line   int
	Entity string // such as `services[0].routes[2] "orders"`
	Field  string
	Err    error
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			b.WriteString(":" + strconv.Itoa(e.Line))
		}
		b.WriteString(": ")
	}
	if e.Entity != "" {
		b.WriteString(e.Entity + ": ")
	}
	if e.Field != "" {
		b.WriteString("field " + e.Field + ": ")
	}
	b.WriteString(e.Err.Error())
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// fieldError marks err as concerning one field; the reader adds file, line and entity.
func fieldError(field string, err error) error {
	return &Error{Field: field, Err: err}
}

// locate fills in where err happened, keeping a more precise location err already carries.
func locate(err error, file string, line int, entity string) error {
	var located *Error
	if errors.As(err, &located) {
		if located.File == "" {
			located.File = file
		}
		if located.Line == 0 {
			located.Line = line
		}
		if located.Entity == "" {
			located.Entity = entity
		}
		return err
	}
	return &Error{File: file, Line: line, Entity: entity, Err: err}
}

func errorf(sentinel error, format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), sentinel)
}
