package checkq

import (
	"time"

	"github.com/wabook/wabook/model"
)

// Normalize reads one input as Enqueue does: Phone is its E.164 form and
// Status "processing" when it may be sent to WhatsApp; Status "invalid"
// with the reason in Error when it is no number or not a valid one (it is
// never sent). region is used for numbers without a country code ("" reads
// them as international). wabook serve reads its requests' numbers with it.
func Normalize(in, region string, now time.Time) model.CheckResult {
	return normalizeInput(in, region, now)
}
