"""Console accounts: the session version that a logout or a new password moves on, and the name's length."""

from __future__ import annotations

import pytest

from storage import users


def test_logout_and_a_new_password_each_move_the_session_version_on(db):
    first = users.add(db, "zhang", "Zhang-coord-2022")
    users.end_sessions(db, "zhang")
    users.end_sessions(db, "zhang")
    after_logouts = users.get(db, "zhang").session_version
    renewed = users.set_password(db, "zhang", "Zhang-second-2022")
    assert after_logouts == first.session_version + 2 and renewed.session_version == after_logouts + 1


def test_a_user_name_longer_than_64_characters_is_refused(db):
    with pytest.raises(users.UserError, match="64"):
        users.add(db, "名" * 65, "long-enough-password", "viewer")
    assert users.add(db, "名" * 64, "long-enough-password", "viewer").name == "名" * 64
