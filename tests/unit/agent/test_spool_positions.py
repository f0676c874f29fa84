import threading
import time
from pathlib import Path

from meshscope.agent.positions import PositionStore
from meshscope.agent.spool import Spool


def test_batches_survive_a_restart_byte_for_byte(tmp_path: Path) -> None:
    spool = Spool(tmp_path, 1 << 20, fsync=False)
    assert spool.put("f:0-10:aa", "logs", "f", 0, 10, 2, b"body-1")
    assert spool.put("f:10-20:bb", "logs", "f", 10, 20, 2, b"body-2")
    (tmp_path / "0000000000000099.tmp").write_bytes(b"half written")
    again = Spool(tmp_path, 1 << 20, fsync=False)
    assert again.resume_offsets() == {"f": 20}
    first = again.claim(0.1)
    assert first is not None and (first.key, first.body, first.start, first.end) == ("f:0-10:aa", b"body-1", 0, 10)
    assert not (tmp_path / "0000000000000099.tmp").exists()
    second = again.claim(0.1)
    assert second is not None and second.key == "f:10-20:bb"
    again.done(first)
    again.release(second)
    assert again.pending() == 1 and again.claim(0.1).key == "f:10-20:bb"


def test_full_spool_makes_put_wait_until_space(tmp_path: Path) -> None:
    spool = Spool(tmp_path, 5000, fsync=False)
    assert spool.put("a", "logs", "f", 0, 1, 1, b"x" * 4000)
    assert not spool.put("b", "logs", "f", 1, 2, 1, b"x" * 4000, wait=False) and spool.full
    done = threading.Event()
    threading.Thread(target=lambda: (spool.put("b", "logs", "f", 1, 2, 1, b"x" * 4000), done.set())).start()
    time.sleep(0.3)
    assert not done.is_set()
    spool.done(spool.claim(0.1))
    assert done.wait(2) and spool.pending() == 1 and not spool.full


def test_interrupted_put_gives_up(tmp_path: Path) -> None:
    spool = Spool(tmp_path, 5000, fsync=False)
    spool.put("a", "logs", "f", 0, 1, 1, b"x" * 4000)
    spool.interrupted = True
    assert spool.put("b", "logs", "f", 1, 2, 1, b"x" * 4000) is False


def test_rejected_batches_are_kept_aside(tmp_path: Path) -> None:
    spool = Spool(tmp_path, 1 << 20, fsync=False)
    spool.put("a", "logs", "f", 0, 1, 1, b"bad")
    spool.done(spool.claim(0.1), rejected=True)
    assert spool.pending() == 0 and len(list((tmp_path / "rejected").glob("*.batch"))) == 1


def test_positions_persist_and_acked_only_moves_forward(tmp_path: Path) -> None:
    store = PositionStore(tmp_path / "positions.json", fsync=False)
    assert store.first_start
    store.ensure("id1", "/x.log", 0)
    store.advance("id1", 100, size=150)
    store.acknowledge("id1", 60)
    store.acknowledge("id1", 40)
    store.save()
    again = PositionStore(tmp_path / "positions.json")
    pos = again.get("id1")
    assert not again.first_start and pos is not None and (pos.spooled, pos.acked, pos.size) == (100, 60, 150)
    again.forget(older_than=-1)
    assert again.get("id1") is not None  # not all acknowledged: kept
    again.acknowledge("id1", 100)
    again.forget(older_than=-1)
    assert again.get("id1") is None


def test_acknowledgements_out_of_order_reach_the_end(tmp_path: Path) -> None:
    store = PositionStore(tmp_path / "positions.json", fsync=False)
    store.ensure("f", "/x.log", 0)
    store.advance("f", 200)
    store.acknowledge("f", 0)  # the second batch (100-200) first: the first one still waits
    store.acknowledge("f", 100, all_done=True)  # then the first: nothing waits any more
    assert store.get("f").acked == 200


def test_split_interrupted_by_a_crash_keeps_only_the_original(tmp_path: Path) -> None:
    spool = Spool(tmp_path, 1 << 20, fsync=False)
    spool.put("big", "logs", "f", 0, 10, 4, b"whole")
    original = spool.claim(0.1)
    spool.replace(original, [("big/0", 2, b"half-1"), ("big/1", 2, b"half-2")])
    assert sorted(b.key for b in [spool.claim(0.1), spool.claim(0.1)]) == ["big/0", "big/1"]
    # the crash: parts written, original not yet removed
    spool.put("big2", "logs", "f", 10, 20, 4, b"whole")
    second = spool.claim(0.1)
    with spool._cond:
        for key, records, body in [("big2/0", 2, b"a"), ("big2/1", 2, b"b")]:
            spool._write(type(second)(spool._next, key, "logs", "f", 10, 20, records, 0, body), parent=second.seq)
            spool._next += 1
    again = Spool(tmp_path, 1 << 20, fsync=False)
    keys = []
    while (b := again.claim(0.05)) is not None:
        keys.append(b.key)
    assert sorted(keys) == ["big/0", "big/1", "big2"]
