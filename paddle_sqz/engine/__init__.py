"""paddle_sqz.engine"""
