"""The header line keeps what an operator acts on when the terminal is narrow."""

from livedata_tui.widgets.status_header import HeaderState, render_header

BUSY = HeaderState(
    instrument="dream",
    view="Services",
    pending=3,
    paused=True,
    readonly=True,
    rate_hz=2.0,
    unhealthy=2,
    broker="kafka-01.control.example.org:9092",
    connected=False,
    down_since_s=0.0,
)


def test_at_80_columns_every_badge_stays_and_the_address_goes():
    line = render_header(BUSY, 80).plain
    assert len(line) <= 80
    for badge in ("dream", "2 unhealthy", "PAUSED", "READ-ONLY", "reconnecting"):
        assert badge in line
    assert "kafka-01" not in line


def test_a_wide_terminal_shows_everything():
    line = render_header(BUSY, 200).plain
    assert "kafka-01.control.example.org:9092" in line
    assert "2 Hz" in line and "pending 3" in line and "Services" in line


def test_a_quiet_header_fits_80_columns_with_the_address():
    quiet = HeaderState("dummy", "Jobs", broker="localhost:9092", connected=True)
    line = render_header(quiet, 80).plain
    assert "localhost:9092" in line and "connected" in line and "3 Hz" in line
