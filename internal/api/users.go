package api

import (
	"context"

	"github.com/provisio/provisio/internal/app"
	"github.com/provisio/provisio/internal/domain"
)

type listUsersIn struct {
	OrgID string `query:"org_id" doc:"the organisation; operators may leave it out to list everyone" example:"org_01kjyvahs0jdypew7da395kjeb"`
	State string `query:"state" enum:"invited,active,locked,deleted" doc:"only users in this state" example:"active"`
	Role  string `query:"role" doc:"only users holding this role" example:"customer_admin"`
	Q     string `query:"q" doc:"search in name and email" example:"reed"`
	PageParams
}

func (s *Server) listUsers(ctx context.Context, act app.Actor, in *listUsersIn) (*body[Page[User]], error) {
	f := domain.UserFilter{Page: in.page()}
	if in.OrgID != "" {
		f.OrgID = &in.OrgID
	}
	if in.State != "" {
		st := domain.UserState(in.State)
		f.State = &st
	}
	if in.Role != "" {
		r := domain.Role(in.Role)
		f.Role = &r
	}
	if in.Q != "" {
		f.Search = &in.Q
	}
	l, err := s.app.Users(ctx, act, f)
	if err != nil {
		return nil, err
	}
	return reply(pageOut(l, userOut)), nil
}

type createUserIn struct {
	Body struct {
		OrgID string   `json:"org_id" doc:"the organisation the user joins, fixed for good (R-ORG-3)" example:"org_01kjyvahs0jdypew7da395kjeb"`
		Email string   `json:"email" doc:"the person's own address: unique (R-USER-1), not at a disposable mail provider (R-USER-2)" example:"tom.reed@harbour-dental.example"`
		Name  string   `json:"name" maxLength:"200" doc:"the person's full name (R-USER-3)" example:"Tom Reed"`
		Roles []string `json:"roles" minItems:"1" doc:"roles of the organisation's kind (R-ROLE-3, R-ROLE-4)" example:"[\"customer_user\"]"`
	}
}

// CreatedUser is a new user with any warnings about it (R-USER-3).
type CreatedUser struct {
	User     User      `json:"user" doc:"the new user, invited (R-USER-4)"`
	Warnings []Warning `json:"warnings" doc:"advice about the new user, such as a shared-looking address (R-USER-3); empty when none"`
}

func roles(rs []string) []domain.Role {
	out := make([]domain.Role, len(rs))
	for i, r := range rs {
		out[i] = domain.Role(r)
	}
	return out
}

func (s *Server) createUser(ctx context.Context, act app.Actor, in *createUserIn) (*body[CreatedUser], error) {
	u, ws, err := s.app.CreateUser(ctx, act, app.NewUser{OrgID: in.Body.OrgID, Email: in.Body.Email,
		Name: in.Body.Name, Roles: roles(in.Body.Roles)})
	if err != nil {
		return nil, err
	}
	return reply(CreatedUser{User: userOut(u), Warnings: warningsOut(ws)}), nil
}

func (s *Server) getUser(ctx context.Context, act app.Actor, in *idIn) (*body[User], error) {
	u, err := s.app.User(ctx, act, in.ID)
	if err != nil {
		return nil, err
	}
	return reply(userOut(u)), nil
}

type updateUserIn struct {
	ID   string `path:"id"`
	Body struct {
		Name  *string  `json:"name,omitempty" maxLength:"200" doc:"a new name" example:"Tom Reed-Walsh"`
		Email *string  `json:"email,omitempty" doc:"a new address; it takes effect once confirmed from the email sent to it (R-USER-6)" example:"tom.walsh@harbour-dental.example"`
		Roles []string `json:"roles,omitempty" doc:"the user's roles, all of them; the last administrator keeps theirs (R-ROLE-5)" example:"[\"customer_user\",\"customer_ops\"]"`
	}
}

// UpdatedUser is a changed user; PendingEmail is set while a new address
// waits for its confirmation (R-USER-6).
type UpdatedUser struct {
	User         User   `json:"user" doc:"the user as changed"`
	PendingEmail string `json:"pending_email,omitempty" doc:"the new address waiting for its confirmation (R-USER-6)" example:"tom.walsh@harbour-dental.example"`
}

func (s *Server) updateUser(ctx context.Context, act app.Actor, in *updateUserIn) (*body[UpdatedUser], error) {
	upd := domain.UserUpdate{Name: in.Body.Name, Email: in.Body.Email}
	if in.Body.Roles != nil {
		upd.Roles = roles(in.Body.Roles)
	}
	u, pending, err := s.app.UpdateUser(ctx, act, in.ID, upd)
	if err != nil {
		return nil, err
	}
	return reply(UpdatedUser{User: userOut(u), PendingEmail: pending}), nil
}

// userChange adapts a one-id user use case to a handler.
func userChange(f func(context.Context, app.Actor, string) (*domain.User, error)) func(context.Context, app.Actor, *idIn) (*body[User], error) {
	return func(ctx context.Context, act app.Actor, in *idIn) (*body[User], error) {
		u, err := f(ctx, act, in.ID)
		if err != nil {
			return nil, err
		}
		return reply(userOut(u)), nil
	}
}

// idReasonIn names an object and why a person does something
// consequential to it: the reason goes in the activity log, and in the
// notice where one is sent.
type idReasonIn struct {
	ID     string `path:"id"`
	Reason string `query:"reason" maxLength:"500" doc:"why, in a few words, for the activity log and the notice" example:"left the company"`
}

func (s *Server) deleteUser(ctx context.Context, act app.Actor, in *idReasonIn) (*body[User], error) {
	u, err := s.app.DeleteUser(ctx, act, in.ID, in.Reason)
	if err != nil {
		return nil, err
	}
	return reply(userOut(u)), nil
}

func (s *Server) lockUser(ctx context.Context, act app.Actor, in *idIn) (*body[User], error) {
	return userChange(s.app.LockUser)(ctx, act, in)
}

func (s *Server) unlockUser(ctx context.Context, act app.Actor, in *idIn) (*body[User], error) {
	return userChange(s.app.UnlockUser)(ctx, act, in)
}

func (s *Server) resendInvitation(ctx context.Context, act app.Actor, in *idIn) (*body[User], error) {
	return userChange(s.app.ResendInvitation)(ctx, act, in)
}

type breakGlassIn struct {
	ID   string `path:"id"`
	Body struct {
		Exempt bool   `json:"exempt" doc:"true: never locked for dormancy (a named break-glass account); false: as everyone" example:"true"`
		Reason string `json:"reason,omitempty" maxLength:"500" doc:"why, required to exempt" example:"emergency administrator, sealed envelope in the practice safe"`
	}
}

type breakGlassOut struct {
	Exempt bool   `json:"exempt" doc:"the user is exempt from the dormancy lock (R-PLUS-4)" example:"true"`
	Reason string `json:"reason,omitempty" doc:"why it is exempt" example:"emergency administrator, sealed envelope in the practice safe"`
}

func (s *Server) setBreakGlass(ctx context.Context, act app.Actor, in *breakGlassIn) (*body[breakGlassOut], error) {
	if err := s.app.SetBreakGlass(ctx, act, in.ID, in.Body.Exempt, in.Body.Reason); err != nil {
		return nil, err
	}
	return reply(breakGlassOut{Exempt: in.Body.Exempt, Reason: in.Body.Reason}), nil
}
