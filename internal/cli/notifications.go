package cli

import (
	"context"

	"github.com/urfave/cli/v3"
)

// notificationsCommand lists the notices addressed to you.
func notificationsCommand() *cli.Command {
	return &cli.Command{Name: "notifications", Usage: "the notices addressed to you, newest first (the same as the emails)",
		Action: func(ctx context.Context, cmd *cli.Command) error {
			return call(ctx, cmd, get, "/me/notifications", nil, nil, listOf("at=created_at kind subject"))
		}}
}
