"""The demo company (华信科技) for trying Liuzhuan out: its organisation (demo/org.py), CRM records
(demo/records.py, from the dataset of demo/dataset.py) and process instances (demo/instances.py).
Used only by the command line (`python app.py demo`, `python app.py demo-data`) and tests; no
package imports it (tests/test_layers.py)."""
