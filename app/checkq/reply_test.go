package checkq

import (
	"errors"
	"slices"
	"testing"

	"github.com/wabook/wabook/model"
	"github.com/wabook/wabook/wa"
)

func TestAnswersToResults(t *testing.T) {
	t.Parallel()
	phones := []string{"+5511987654321", "+14155550199", "+14155550109", "+16315551004"}
	phones = append(phones, "+14155550177")
	answers := []wa.CheckAnswer{
		{Query: "+5511987654321", Answered: true, Exists: true, JID: "551187654321@s.whatsapp.net", VerifiedName: "Loja"},
		{Query: "+14155550109", Answered: true, Err: errors.New("timeout")},
		{Query: "16315551004", Answered: true, Exists: false, JID: "16315551004@s.whatsapp.net"},
		{Query: "+14155550177"}, // left out of the reply
		// +14155550199 is missing from the answers.
	}
	got := answersToResults(phones, answers)
	// Issue 9: a number WhatsApp did not answer waits for another batch
	// ("processing"); only an explicit answer is invalid.
	want := []model.CheckResult{
		{Phone: "+5511987654321", Status: model.CheckValid, WAID: "551187654321", JID: "551187654321@s.whatsapp.net", VerifiedName: "Loja"},
		{Phone: "+14155550199", Status: model.CheckProcessing},
		{Phone: "+14155550109", Status: model.CheckFailed, Error: "timeout"},
		{Phone: "+16315551004", Status: model.CheckInvalid},
		{Phone: "+14155550177", Status: model.CheckProcessing},
	}
	if !slices.Equal(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}
