package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"reflect"

	"github.com/kongsnap/kongsnap/snapshot"
)

// Encoded is an entity with the JSON bodies of its validation and its write, made once (Encode). Validate,
// Create, Update, CreateBlind and UpdateBlind take one in place of the entity and send exactly the requests they
// send for it: a restore validates every entity it then writes, and encoding each once saves a marshal of every
// entity (the write then also sends the very bytes the gateway validated).
type Encoded struct {
	entity     any
	body       []byte // the write's
	validation []byte // the validation's: body without the kind's WriteOptions
}

// Encode makes e's bodies; e is a go-kong pointer of a kind the snapshot holds, or an Encoded (returned as it is).
func Encode(e any) (*Encoded, error) {
	if x, ok := e.(*Encoded); ok {
		return x, nil
	}
	body, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	validation, err := validationBody(e, body)
	if err != nil {
		return nil, err
	}
	return &Encoded{entity: e, body: body, validation: validation}, nil
}

// Entity returns the entity x encodes.
func (x *Encoded) Entity() any { return x.entity }

// Encode is the package's Encode, for callers that reach the gateway through an interface.
func (c *Client) Encode(e any) (*Encoded, error) { return Encode(e) }

// entityOf is e, or the entity e encodes.
func entityOf(e any) any {
	if x, ok := e.(*Encoded); ok {
		return x.entity
	}
	return e
}

// Create writes a new entity: PUT /{collection}/{id} when e has an id (Kong's upsert, so repeating it is harmless
// and the snapshot's id is kept), POST without one. Credentials are written under their consumer and targets under
// their upstream. Kong answers the PUT of a new target with 404, so a target is created by a POST carrying its id
// (one request, not go-kong's PUT then POST); a POST Kong refuses (400, 409) is tried as a PUT, which updates the
// target when it already has the id, so repeating a create stays harmless; when the PUT finds no such target, the
// POST's answer stands. It returns the entity Kong stored,
// normalised as Read returns it. A unique key held by another entity gives an error wrapping ErrConflict. e is a
// go-kong pointer of a kind the snapshot holds, or an Encoded.
func (c *Client) Create(ctx context.Context, e any) (any, error) {
	out, err := c.put(ctx, e, true, true)
	if err != nil {
		return nil, c.opError("creating", e, unanswered(err))
	}
	return out, nil
}

// Update replaces the entity with e's id by e, every field (PUT, as decK's sync does): a field e leaves unset gets
// Kong's default again (a target PUT that Kong answers 404 is sent again as a POST carrying the id, as go-kong
// does). It returns the stored entity, normalised; errors are as Create's.
func (c *Client) Update(ctx context.Context, e any) (any, error) {
	if snapshot.ID(entityOf(e)) == "" {
		return nil, c.opError("updating", e, errors.New("an update needs the entity's id"))
	}
	out, err := c.put(ctx, e, true, false)
	if err != nil {
		return nil, c.opError("updating", e, unanswered(err))
	}
	return out, nil
}

// CreateBlind and UpdateBlind are Create and Update for callers that need only the outcome (sync.Apply): the same
// requests and the same errors, but the entity Kong answers with is not decoded (a restore of 10,000 entities
// spends a quarter of its own time decoding answers nobody reads otherwise).
func (c *Client) CreateBlind(ctx context.Context, e any) error {
	if _, err := c.put(ctx, e, false, true); err != nil {
		return c.opError("creating", e, unanswered(err))
	}
	return nil
}

// UpdateBlind: see CreateBlind.
func (c *Client) UpdateBlind(ctx context.Context, e any) error {
	if snapshot.ID(entityOf(e)) == "" {
		return c.opError("updating", e, errors.New("an update needs the entity's id"))
	}
	if _, err := c.put(ctx, e, false, false); err != nil {
		return c.opError("updating", e, unanswered(err))
	}
	return nil
}

// Delete removes the entity with e's id; an entity already gone is success. Kong cascades as it always does
// (a route's plugins go with it), and refuses while others reference e (a service with routes).
func (c *Client) Delete(ctx context.Context, e any) error {
	id := snapshot.ID(e)
	if id == "" {
		return c.opError("deleting", e, errors.New("a delete needs the entity's id"))
	}
	path, err := writePath(e)
	if err != nil {
		return c.opError("deleting", e, err)
	}
	err = c.send(ctx, http.MethodDelete, path+"/"+url.PathEscape(id), nil, nil)
	if err != nil && !isStatus(err, http.StatusNotFound) {
		return c.opError("deleting", e, unanswered(err))
	}
	return nil
}

// unanswered marks a write's error with ErrNoAnswer when the gateway never answered it (the connection failed or
// dropped, the request timed out or was cancelled), so that no one reports as failed a write Kong may have applied.
func unanswered(err error) error {
	if isTransport(err) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("%w: %w", ErrNoAnswer, err)
	}
	return err
}

// Validate asks the gateway whether it would accept e as Create or Update writes it, without writing anything:
// POST /schemas/plugins/validate for a plugin, POST /schemas/{entity}/validate for every other kind, the endpoints
// decK's `gateway validate` uses. Kong runs the same schema checks as on an insert (kong/api/routes/kong.lua,
// validate_schema: process_auto_fields, then schema:validate) but not uniqueness or the existence of referenced
// entities, so e may reference parents the plan has yet to create. A rejection is an error wrapping ErrInvalid
// with Kong's message (every field it names); any other failure (unreachable, forbidden) is returned as it is.
func (c *Client) Validate(ctx context.Context, e any) error {
	kind := snapshot.KindOf(entityOf(e))
	if kind.Info() == nil {
		return c.opError("validating", e, fmt.Errorf("cannot validate %T", entityOf(e)))
	}
	x, err := Encode(e)
	if err != nil {
		return c.opError("validating", e, err)
	}
	err = c.send(ctx, http.MethodPost, "/schemas/"+url.PathEscape(string(kind))+"/validate", x.validation, nil)
	switch {
	case err == nil:
		return nil
	case isStatus(err, http.StatusBadRequest):
		return c.opError("validating", e, fmt.Errorf("%w: %w", ErrInvalid, kongError(err)))
	}
	return c.opError("validating", e, err)
}

// validationBody is body, e's JSON, without the options Kong's write endpoints take beside the entity's fields
// (snapshot.KindInfo.WriteOptions), which the schema alone does not know. A body that does not even contain an
// option's quoted name is the validation's as it is.
func validationBody(e any, body []byte) ([]byte, error) {
	info := snapshot.KindOf(e).Info()
	if info == nil || !mentionsAny(body, info.WriteOptions) {
		return body, nil
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var fields map[string]any
	if err := dec.Decode(&fields); err != nil {
		return nil, err
	}
	for _, o := range info.WriteOptions {
		delete(fields, o)
	}
	return json.Marshal(fields)
}

// mentionsAny reports whether body contains any of keys as a quoted JSON string.
func mentionsAny(body []byte, keys []string) bool {
	for _, k := range keys {
		if bytes.Contains(body, []byte(`"`+k+`"`)) {
			return true
		}
	}
	return false
}

// put upserts e by id, or posts it when it has none; create says whether e is new (Create) or replaces an entity
// (Update), which decides how a kind Kong will not PUT when new is sent. With decode, it decodes Kong's answer
// into a new value of e's type and returns it normalised.
func (c *Client) put(ctx context.Context, e any, decode, create bool) (any, error) {
	x, err := Encode(e)
	if err != nil {
		return nil, err
	}
	path, err := writePath(x.entity)
	if err != nil {
		return nil, err
	}
	var out any
	if decode {
		out = reflect.New(reflect.TypeOf(x.entity).Elem()).Interface()
	}
	id := snapshot.ID(x.entity)
	byID := path + "/" + url.PathEscape(id)
	switch {
	case id == "":
		err = c.send(ctx, http.MethodPost, path, x.body, out)
	case !snapshot.KindOf(x.entity).Info().PostIfPutMissing:
		err = c.send(ctx, http.MethodPut, byID, x.body, out)
	case create:
		err = c.send(ctx, http.MethodPost, path, x.body, out)
		// Kong refuses a POST of an id it holds with 400 (primary key violation), and a taken address with 409.
		if isStatus(err, http.StatusBadRequest, http.StatusConflict) {
			if perr := c.send(ctx, http.MethodPut, byID, x.body, out); !isStatus(perr, http.StatusNotFound) {
				err = perr
			}
		}
	default:
		err = c.send(ctx, http.MethodPut, byID, x.body, out)
		if isStatus(err, http.StatusNotFound) {
			err = c.send(ctx, http.MethodPost, path, x.body, out)
		}
	}
	if err != nil || !decode {
		return nil, err
	}
	normalize(out)
	return out, nil
}

// send makes one request through go-kong, decoding the answer into out when it is not nil. body is nil or the
// request's JSON.
func (c *Client) send(ctx context.Context, method, path string, body []byte, out any) error {
	req, err := c.base.request(method, path, body)
	if err != nil {
		return err
	}
	_, err = c.kong.Do(ctx, req, out)
	return err
}

// opError names the connection, the operation and the entity, with Kong's message; header values and e's secrets
// are scrubbed from it.
func (c *Client) opError(verb string, e any, err error) error {
	e = entityOf(e)
	err = fmt.Errorf("connection %q: %s %s: %w", c.conn.Name, verb, snapshot.Describe(e), kongError(err))
	return c.secrets.with(snapshot.SecretValues(e)...).scrubError(err)
}
