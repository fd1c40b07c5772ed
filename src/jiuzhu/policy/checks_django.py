"""A system check (`jiuzhu check`, and at every start): the policy packs must be where the settings say."""

from __future__ import annotations

from django.core import checks


@checks.register(checks.Tags.compatibility)
def policy_packs_found(app_configs, **kwargs):
    from jiuzhu.policy.packs import available_packs, policy_dirs

    if available_packs():
        return []
    where = "、".join(str(d) for d in policy_dirs())
    return [
        checks.Error(
            f"找不到任何政策包（查找位置：{where}）",
            hint="把发布包中的 policies/ 目录复制到服务器，并用 JIUZHU_POLICY_DIRS 指向它",
            id="policy.E001",
        )
    ]
