package wm

import (
	_ "github.com/rs/zerolog"
	_ "go.mau.fi/whatsmeow"
	_ "go.mau.fi/whatsmeow/appstate"
	_ "go.mau.fi/whatsmeow/proto/waAdv"
	_ "go.mau.fi/whatsmeow/proto/waCompanionReg"
	_ "go.mau.fi/whatsmeow/proto/waSyncAction"
	_ "go.mau.fi/whatsmeow/proto/waVnameCert"
	_ "go.mau.fi/whatsmeow/proto/waServerSync"
	_ "go.mau.fi/whatsmeow/store/sqlstore"
	_ "go.mau.fi/whatsmeow/types/events"
	_ "modernc.org/sqlite"
	_ "google.golang.org/protobuf/proto"
)
