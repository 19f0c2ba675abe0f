# 两条命令：make demo（安装并运行演示） / make test（安装并运行全部测试）
.PHONY: setup demo test bench lock

setup:
	./scripts/setup.sh

demo: setup
	.venv/bin/intake demo

test: setup
	.venv/bin/python -m pytest

bench: setup
	.venv/bin/python bench/throughput.py
	.venv/bin/python bench/ocr.py
	.venv/bin/python bench/poll.py
	.venv/bin/python bench/load.py
	.venv/bin/python bench/convert.py
	.venv/bin/python bench/bombs.py

# 有意更新依赖版本时使用：按今天的发布版本重新生成 requirements.lock（单独提交，由 CI 验证）
lock:
	./scripts/lock.sh
