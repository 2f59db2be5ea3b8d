package kongsim

import (
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/kongsnap/kongsnap/gateway/kongsim/schema"
)

// Kong's error codes (kong/db/errors.lua).
const (
	codeInvalidPrimaryKey     = 1
	codeSchemaViolation       = 2
	codePrimaryKeyViolation   = 3
	codeForeignKeyViolation   = 4
	codeUniqueViolation       = 5
	codeNotFound              = 6
	codeInvalidOffset         = 7
	codeInvalidSize           = 9
	codeInvalidOptions        = 11
	codeForeignKeysUnresolved = 13
	codeReferencedByOthers    = 19
)

var codeNames = map[int]string{
	codeInvalidPrimaryKey:     "invalid primary key",
	codeSchemaViolation:       "schema violation",
	codePrimaryKeyViolation:   "primary key violation",
	codeForeignKeyViolation:   "foreign key violation",
	codeUniqueViolation:       "unique constraint violation",
	codeNotFound:              "not found",
	codeInvalidOffset:         "invalid offset",
	codeInvalidSize:           "invalid size",
	codeInvalidOptions:        "invalid options",
	codeForeignKeysUnresolved: "foreign keys unresolved",
	codeReferencedByOthers:    "referenced by others",
}

var codeStatus = map[int]int{
	codeUniqueViolation: http.StatusConflict,
	codeNotFound:        http.StatusNotFound,
}

// apiError is an Admin API error response: a status and the JSON body Kong sends with it.
type apiError struct {
	status int
	body   map[string]any
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %v", e.status, e.body["message"]) }

// dbError builds a DAO error body: {code, name, message, fields} (options for code 11).
func dbError(code int, message string, fields map[string]any) *apiError {
	body := map[string]any{"code": code, "name": codeNames[code], "message": message}
	if fields != nil {
		if code == codeInvalidOptions {
			body["options"] = fields
		} else {
			body["fields"] = fields
		}
	}
	status, ok := codeStatus[code]
	if !ok {
		status = http.StatusBadRequest
	}
	return &apiError{status: status, body: body}
}

// plainError builds a body carrying only a message, as Kong's helpers send for 404, 405 and friends.
func plainError(status int, message string) *apiError {
	return &apiError{status: status, body: map[string]any{"message": message}}
}

var (
	errNotFound         = plainError(http.StatusNotFound, "Not found")
	errMethodNotAllowed = plainError(http.StatusMethodNotAllowed, "Method not allowed")
	errBadJSON          = plainError(http.StatusBadRequest, "Cannot parse JSON body")
)

func schemaViolation(fields map[string]any) *apiError {
	return dbError(codeSchemaViolation, schema.ViolationMessage(fields), fields)
}

func uniqueViolation(key map[string]any) *apiError {
	return dbError(codeUniqueViolation, "UNIQUE violation detected on '"+luaPretty(key)+"'", key)
}

func primaryKeyViolation(id string) *apiError {
	key := map[string]any{"id": id}
	return dbError(codePrimaryKeyViolation, "primary key violation on key '"+luaPretty(key)+"'", key)
}

func invalidPrimaryKey() *apiError {
	fields := map[string]any{"id": "expected a valid UUID"}
	return dbError(codeInvalidPrimaryKey, "invalid primary key: '"+luaPretty(fields)+"'", fields)
}

func invalidReference(field, id, parent string) *apiError {
	key := map[string]any{"id": id}
	msg := fmt.Sprintf("the foreign key '%s' does not reference an existing '%s' entity.", luaPretty(key), parent)
	return dbError(codeForeignKeyViolation, msg, map[string]any{field: key})
}

func referencedBy(parent, child string) *apiError {
	msg := fmt.Sprintf("an existing '%s' entity references this '%s' entity", child, parent)
	return dbError(codeForeignKeyViolation, msg, map[string]any{"@referenced_by": child})
}

func invalidOption(name, message string) *apiError {
	return dbError(codeInvalidOptions, fmt.Sprintf("invalid option (%s: %s)", name, message),
		map[string]any{name: message})
}

func invalidOffset(token, reason string) *apiError {
	return dbError(codeInvalidOffset, fmt.Sprintf("'%s' is not a valid offset: %s", token, reason), nil)
}

// unresolved is one foreign key given by a unique field that matched nothing.
type unresolved struct{ field, key, value, parent string }

// foreignKeysUnresolved mirrors errors:foreign_keys_unresolved: one message part per field.key, sorted.
func foreignKeysUnresolved(list []unresolved) *apiError {
	sort.Slice(list, func(i, j int) bool {
		if list[i].field != list[j].field {
			return list[i].field < list[j].field
		}
		return list[i].key < list[j].key
	})
	fields := map[string]any{}
	parts := make([]string, 0, len(list))
	for _, u := range list {
		msg := fmt.Sprintf("the foreign key cannot be resolved with '%s' for an existing '%s' entity",
			luaPretty(map[string]any{u.key: u.value}), u.parent)
		sub, _ := fields[u.field].(map[string]any)
		if sub == nil {
			sub = map[string]any{}
			fields[u.field] = sub
		}
		sub[u.key] = msg
		parts = append(parts, u.field+"."+u.key+": "+msg)
	}
	message := "foreign key unresolved (" + parts[0] + ")"
	if len(parts) > 1 {
		message = fmt.Sprintf("%d foreign keys unresolved (%s)", len(parts), strings.Join(parts, "; "))
	}
	return dbError(codeForeignKeysUnresolved, message, fields)
}

// luaPretty renders a value the way Penlight's pretty.write(v, "") does in Kong's error messages:
// {consumer=null,name="key-auth",service={id="…"}} with keys sorted.
func luaPretty(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(v)
	case bool:
		return strconv.FormatBool(v)
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int:
		return strconv.Itoa(v)
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(k + "=" + luaPretty(v[k]))
		}
		b.WriteByte('}')
		return b.String()
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = luaPretty(e)
		}
		return "{" + strings.Join(parts, ",") + "}"
	default:
		return fmt.Sprint(v)
	}
}
