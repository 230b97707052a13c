import json
import os

from livedata.control.config_store import (
    ConfigStore,
    StoredConfig,
    default_state_dir,
)
from livedata.control.transport import latest_per_key
from livedata.core.commands import JobAction, JobCommand, WorkflowConfig
from livedata.core.identifiers import JobId, WorkflowId

WID = "dummy/monitor_histogram/2"


def config(source, bins, workflow=WID):
    return WorkflowConfig(
        identifier=WorkflowId.parse_str(workflow),
        job_id=JobId(source_name=source),
        params={"toa_edges": {"num_bins": bins}},
    )


def test_round_trip_through_disk(tmp_path):
    store = ConfigStore("dummy", tmp_path)
    staged = StoredConfig(("monitor1",), {"toa_edges": {"num_bins": 5}}, {"r": "s"})
    store.put(WID, staged=staged)
    store.put(WID, committed=staged, job_ids=["monitor1/x"])
    again = ConfigStore("dummy", tmp_path).get(WID)
    assert again.staged == staged
    assert again.committed == staged
    assert again.job_ids == ("monitor1/x",)
    assert json.loads((tmp_path / "dummy.json").read_text())["instrument"] == "dummy"


def test_writes_are_atomic_and_leave_no_temp_files(tmp_path):
    store = ConfigStore("dummy", tmp_path)
    store.put(WID, staged=StoredConfig(("monitor1",)))
    inode = os.stat(store.path).st_ino
    store.put(WID, staged=StoredConfig(("monitor2",)))
    assert os.stat(store.path).st_ino != inode  # replaced, not rewritten in place
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dummy.json"]


def test_a_corrupt_file_is_ignored_not_fatal(tmp_path):
    (tmp_path / "dummy.json").write_text("{half a file")
    store = ConfigStore("dummy", tmp_path)
    assert store.records() == {}
    store.put(WID, staged=StoredConfig(("monitor1",)))
    assert ConfigStore("dummy", tmp_path).get(WID).staged.source_names == ("monitor1",)


def test_an_unwritable_directory_is_counted_not_raised(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    store = ConfigStore("dummy", blocker / "sub")
    store.put(WID, staged=StoredConfig(("monitor1",)))
    assert store.write_errors == 1


def test_default_directory_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path))
    assert default_state_dir() == tmp_path / "livedata"
    monkeypatch.delenv("XDG_STATE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert default_state_dir() == tmp_path / ".local" / "state" / "livedata"


def test_latest_command_per_key_wins():
    old = config("monitor1", 1)
    other = config("monitor2", 2)
    new = config("monitor1", 3)
    stop = JobCommand(job_id=new.job_id, action=JobAction.STOP)
    kept = latest_per_key([old, other, new, stop])
    assert kept == [other, new, stop]


def test_seed_from_restored_commands_keeps_local_records(tmp_path):
    store = ConfigStore("dummy", tmp_path)
    store.put("dummy/total_counts/2", staged=StoredConfig(("panel_0",)))
    restored = latest_per_key(
        [
            config("monitor1", 1),
            config("monitor1", 4),
            config("monitor2", 4),
            config("panel_0", 9, "dummy/total_counts/2"),
        ]
    )
    assert store.seed(restored) == 1
    record = ConfigStore("dummy", tmp_path).get(WID)
    assert record.committed.source_names == ("monitor1", "monitor2")
    assert record.staged.params == {"toa_edges": {"num_bins": 4}}
    assert len(record.job_ids) == 2
    local = store.get("dummy/total_counts/2")
    assert local.committed is None  # not overwritten by the topic
