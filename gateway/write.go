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

// Create writes a new entity: PUT /{collection}/{id} when e has an id (Kong's upsert, so repeating it is harmless
// and the snapshot's id is kept), POST without one. Credentials are written under their consumer and targets under
// their upstream (a target PUT that Kong answers 404 is retried as a POST carrying the id, as go-kong does). It
// returns the entity Kong stored, normalised as Read returns it. A unique key held by another entity gives an error
// wrapping ErrConflict. e is a go-kong pointer of a kind the snapshot holds.
func (c *Client) Create(ctx context.Context, e any) (any, error) {
	out, err := c.put(ctx, e, true)
	if err != nil {
		return nil, c.opError("creating", e, unanswered(err))
	}
	return out, nil
}

// Update replaces the entity with e's id by e, every field (PUT, as decK's sync does): a field e leaves unset gets
// Kong's default again. It returns the stored entity, normalised; errors are as Create's.
func (c *Client) Update(ctx context.Context, e any) (any, error) {
	if snapshot.ID(e) == "" {
		return nil, c.opError("updating", e, errors.New("an update needs the entity's id"))
	}
	out, err := c.put(ctx, e, true)
	if err != nil {
		return nil, c.opError("updating", e, unanswered(err))
	}
	return out, nil
}

// CreateBlind and UpdateBlind are Create and Update for callers that need only the outcome (sync.Apply): the same
// requests and the same errors, but the entity Kong answers with is not decoded (a restore of 10,000 entities
// spends a quarter of its own time decoding answers nobody reads otherwise).
func (c *Client) CreateBlind(ctx context.Context, e any) error {
	if _, err := c.put(ctx, e, false); err != nil {
		return c.opError("creating", e, unanswered(err))
	}
	return nil
}

// UpdateBlind: see CreateBlind.
func (c *Client) UpdateBlind(ctx context.Context, e any) error {
	if snapshot.ID(e) == "" {
		return c.opError("updating", e, errors.New("an update needs the entity's id"))
	}
	if _, err := c.put(ctx, e, false); err != nil {
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
	kind := snapshot.KindOf(e)
	if kind.Info() == nil {
		return c.opError("validating", e, fmt.Errorf("cannot validate %T", e))
	}
	body, err := validationBody(e)
	if err != nil {
		return c.opError("validating", e, err)
	}
	err = c.send(ctx, http.MethodPost, "/schemas/"+url.PathEscape(string(kind))+"/validate", body, nil)
	switch {
	case err == nil:
		return nil
	case isStatus(err, http.StatusBadRequest):
		return c.opError("validating", e, fmt.Errorf("%w: %w", ErrInvalid, kongError(err)))
	}
	return c.opError("validating", e, err)
}

// validationBody is e without the options Kong's write endpoints take beside the entity's fields
// (snapshot.KindInfo.WriteOptions), which the schema alone does not know.
func validationBody(e any) (any, error) {
	options := snapshot.KindOf(e).Info().WriteOptions
	if len(options) == 0 {
		return e, nil
	}
	data, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var body map[string]any
	if err := dec.Decode(&body); err != nil {
		return nil, err
	}
	for _, o := range options {
		delete(body, o)
	}
	return body, nil
}

// put upserts e by id, or posts it when it has none. With decode, it decodes Kong's answer into a new value of e's
// type and returns it normalised.
func (c *Client) put(ctx context.Context, e any, decode bool) (any, error) {
	path, err := writePath(e)
	if err != nil {
		return nil, err
	}
	var out any
	if decode {
		out = reflect.New(reflect.TypeOf(e).Elem()).Interface()
	}
	id := snapshot.ID(e)
	if id == "" {
		err = c.send(ctx, http.MethodPost, path, e, out)
	} else {
		err = c.send(ctx, http.MethodPut, path+"/"+url.PathEscape(id), e, out)
		if snapshot.KindOf(e).Info().PostIfPutMissing && isStatus(err, http.StatusNotFound) {
			err = c.send(ctx, http.MethodPost, path, e, out)
		}
	}
	if err != nil || !decode {
		return nil, err
	}
	normalize(out)
	return out, nil
}

// send makes one request through go-kong, decoding the answer into out when it is not nil.
func (c *Client) send(ctx context.Context, method, path string, body, out any) error {
	req, err := c.kong.NewRequest(method, path, nil, body)
	if err != nil {
		return err
	}
	_, err = c.kong.Do(ctx, req, out)
	return err
}

// opError names the connection, the operation and the entity, with Kong's message; header values and e's secrets
// are scrubbed from it.
func (c *Client) opError(verb string, e any, err error) error {
	err = fmt.Errorf("connection %q: %s %s: %w", c.conn.Name, verb, snapshot.Describe(e), kongError(err))
	return c.secrets.with(snapshot.SecretValues(e)...).scrubError(err)
}
